-- wrk: a made-up address with each request, never asked for before
-- (/@madeup<round>t<thread>n<count>), as a flood of invented addresses comes.

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  round = tonumber(args[1] or "0")
  sent = 0
end

function request()
  sent = sent + 1
  local path = string.format("/@madeup%dt%dn%d", round, tid, sent)
  return wrk.format("GET", path, { ["Accept-Encoding"] = "gzip" })
end
