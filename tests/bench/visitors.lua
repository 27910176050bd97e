-- wrk: a new visitor with each request, or one visitor again and again.
--   `-- new <round>`: a new address (X-Forwarded-For, which the benchmark's
--     CLIENT_IP_HEADER trusts) each time, with one of 450 browsers, as
--     visitors come;
--   `-- unique <round>`: a new address and a browser version never seen
--     before each time (a script rotating its User-Agent from many addresses);
--   `-- one`: the same address and browser each time.
-- The round number keeps each round's visitors apart from earlier rounds'.

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("tid", threads)
end

function init(args)
  mode = args[1] or "new"
  round = tonumber(args[2] or "0")
  sent = 0
end

local agents = {
  "Mozilla/5.0 (iPhone; CPU iPhone OS 17_%d like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 musical_ly_35.%d.0",
  "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/12%d.0.%d.0 Mobile Safari/537.36",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/12%d.0.%d.0 Safari/537.36",
}

function request()
  sent = sent + 1
  local headers = { ["Accept-Encoding"] = "gzip" }
  if mode == "one" then
    headers["User-Agent"] = string.format(agents[1], 0, 0)
    headers["X-Forwarded-For"] = "10.255.0.1"
  else
    local version = mode == "unique" and sent or sent % 150
    headers["User-Agent"] = string.format(agents[sent % #agents + 1], version % 10, version)
    headers["X-Forwarded-For"] = string.format(
      "10.%d.%d.%d", (round * 8 + tid) % 256, math.floor(sent / 256) % 256, sent % 256
    )
  end
  return wrk.format("GET", nil, headers)
end
