"""Where Alice's visitors come from and what they use, read from real-world
user agents and referrers (a corpus taken from browsers, in-app browsers and
crawlers as they send them), and which of them are not people at all."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from stats import audience

# (user agent, device class, browser)
from stats import counting as stats

AGENTS = [
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Mobile/15E148 musical_ly_34.1.0 JsSdk/2.0 NetType/WIFI Channel/App Store "
        "ByteLocale/en Region/US BytedanceWebview/d8a21c6",
        "phone",
        "TikTok",
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-S908B Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/120.0.6099.144 Mobile Safari/537.36 trill_330404 "
        "JsSdk/1.0 NetType/WIFI Channel/googleplay AppName/trill app_version/33.4.4 "
        "ByteLocale/en BytedanceWebview/d8a21c6",
        "phone",
        "TikTok",
    ),
    (
        "Mozilla/5.0 (Linux; Android 12; Pixel 6 Build/SQ3A.220705.004; wv) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Version/4.0 Chrome/119.0.6045.163 Mobile Safari/537.36 "
        "musical_ly_2023203030 JsSdk/1.0 NetType/MOBILE Channel/googleplay AppName/musical_ly "
        "app_version/32.3.3 ByteLocale/de ByteFullLocale/de Region/DE BytedanceWebview/d8a21c6",
        "phone",
        "TikTok",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
        "phone",
        "Mobile Safari",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) CriOS/120.0.6099.119 Mobile/15E148 Safari/604.1",
        "phone",
        "Chrome Mobile iOS",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Mobile/15E148 Instagram 311.0.3.21.109 (iPhone14,5; iOS 17_2; en_US; en; "
        "scale=3.00; 1170x2532; 547436009)",
        "phone",
        "Instagram",
    ),
    (
        "Mozilla/5.0 (iPhone; CPU iPhone OS 16_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, "
        "like Gecko) Mobile/15E148 [FBAN/FBIOS;FBDV/iPhone13,2;FBMD/iPhone;FBSN/iOS;FBSV/16.5;"
        "FBSS/3;FBID/phone;FBLC/en_US;FBOP/5]",
        "phone",
        "Facebook",
    ),
    (
        "Mozilla/5.0 (iPad; CPU OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
        "Version/17.1 Mobile/15E148 Safari/604.1",
        "tablet",
        "Mobile Safari",
    ),
    (
        "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Mobile Safari/537.36",
        "phone",
        "Chrome Mobile",
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; SM-X700) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        "tablet",
        "Chrome",
    ),
    (
        "Mozilla/5.0 (Linux; Android 14; SAMSUNG SM-S918B) AppleWebKit/537.36 (KHTML, like "
        "Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
        "phone",
        "Samsung Internet",
    ),
    (
        "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
        "phone",
        "Firefox Mobile",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        "desktop",
        "Chrome",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
        "desktop",
        "Edge",
    ),
    (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "desktop",
        "Firefox",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like "
        "Gecko) Version/17.2 Safari/605.1.15",
        "desktop",
        "Safari",
    ),
    (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        "desktop",
        "Chrome",
    ),
    (
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        "desktop",
        "Chrome",
    ),
    (
        "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
        "desktop",
        "Firefox",
    ),
    (
        "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Safari/537.36",
        "desktop",
        "Chrome",
    ),
    (
        "Mozilla/5.0 (Linux; Android 11; moto g(30)) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Mobile Safari/537.36 OPR/79.0.4143.72",
        "phone",
        "Opera Mobile",
    ),
    (
        "Mozilla/5.0 (Linux; Android 13; 2201116SG) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/120.0.0.0 Mobile Safari/537.36",
        "phone",
        "Chrome Mobile",
    ),
]

CRAWLERS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; bingbot/2.0; "
    "+http://www.bing.com/bingbot.htm) Chrome/116.0.1938.76 Safari/537.36",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
    "Twitterbot/1.0",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_10_1) AppleWebKit/600.2.5 (KHTML, like Gecko) "
    "Version/8.0.2 Safari/600.2.5 (Applebot/0.1; +http://www.apple.com/go/applebot)",
    "WhatsApp/2.23.20.0",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)",
    "TelegramBot (like TwitterBot)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/120.0.0.0 Safari/537.36",
    "curl/8.4.0",
    "python-requests/2.31.0",
    "Mozilla/5.0 (compatible; DuckDuckBot-Https/1.1; https://duckduckgo.com/duckduckbot)",
    "Mozilla/5.0 (Linux; Android 6.0.1; Nexus 5X Build/MMB29P) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/120.0.6099.71 Mobile Safari/537.36 (compatible; Googlebot/2.1; "
    "+http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; Discordbot/2.0; +https://discordapp.com)",
    "Pinterestbot/1.0 (+http://www.pinterest.com/bot.html)",
    "",
]
SAFARI = AGENTS[3][0]
TIKTOK_APP = AGENTS[0][0]

# (referrer, user agent, utm_source, source)
REFERRERS = [
    ("https://www.tiktok.com/@alice", SAFARI, "", "tiktok.com"),
    ("https://m.tiktok.com/v/7301.html", SAFARI, "", "tiktok.com"),
    ("https://vm.tiktok.com/ZMabc123/", SAFARI, "", "tiktok.com"),
    ("", TIKTOK_APP, "", "tiktok.com"),
    ("", AGENTS[1][0], "", "tiktok.com"),
    (
        "https://l.instagram.com/?u=https%3A%2F%2Flinkinbio.example%2F%40alice",
        SAFARI,
        "",
        "instagram.com",
    ),
    ("https://www.instagram.com/", SAFARI, "", "instagram.com"),
    ("https://www.youtube.com/", SAFARI, "", "youtube.com"),
    ("https://m.youtube.com/watch?v=abc", SAFARI, "", "youtube.com"),
    ("https://youtu.be/abc", SAFARI, "", "youtube.com"),
    ("https://www.google.com/", SAFARI, "", "google"),
    ("https://www.google.co.uk/", SAFARI, "", "google"),
    ("https://www.google.com.br/", SAFARI, "", "google"),
    ("android-app://com.google.android.gm/", SAFARI, "", "com.google.android.gm"),
    ("https://t.co/xyz", SAFARI, "", "x.com"),
    ("https://lm.facebook.com/l.php?u=x", SAFARI, "", "facebook.com"),
    ("https://www.bing.com/search?q=alice", SAFARI, "", "bing.com"),
    ("https://news.ycombinator.com/item?id=1", SAFARI, "", "news.ycombinator.com"),
    ("https://www.some-blog.example/post", SAFARI, "", "some-blog.example"),
    ("", SAFARI, "", "direct"),
    ("not a url at all", SAFARI, "", "direct"),
    ("https://[broken/", SAFARI, "", "direct"),
    ("http://testserver/@alice?page=2", SAFARI, "", "direct"),
    ("https://www.tiktok.com/", TIKTOK_APP, "TikTok_Bio", "utm:tiktok_bio"),
    ("", SAFARI, "news letter<script>", "utm:news-letter-script"),
]

LANGUAGES = [
    ("en-US,en;q=0.9", "en-us"),
    ("de-DE", "de-de"),
    ("fr;q=0.8, en;q=0.5", "fr"),
    ("zh-Hant-TW,zh;q=0.9", "zh-hant-tw"),
    ("pt-BR,pt;q=0.9", "pt-br"),
    ("*", "unknown"),
    ("", "unknown"),
    ("<script>alert(1)</script>", "unknown"),
]


def test_the_corpus_is_big_enough():
    assert len(AGENTS) + len(CRAWLERS) + len(REFERRERS) >= 40


@pytest.mark.parametrize(("agent", "device", "browser"), AGENTS)
def test_people_are_counted_with_their_device_and_browser(agent, device, browser):
    assert not stats.is_bot(agent)
    assert audience.device(agent) == device
    assert audience.browser(agent) == browser


@pytest.mark.parametrize("agent", CRAWLERS)
def test_crawlers_link_previews_and_scripts_are_not_people(agent):
    assert stats.is_bot(agent)


@pytest.mark.parametrize(("referer", "agent", "utm", "site"), REFERRERS)
def test_each_visit_is_put_down_to_the_site_it_came_from(referer, agent, utm, site):
    assert audience.source(referer, agent, utm, own_host="testserver") == site


@pytest.mark.parametrize(("header", "language"), LANGUAGES)
def test_the_first_language_the_browser_asks_for_is_kept(header, language):
    assert audience.language(header) == language


@given(agent=st.text(max_size=300) | st.sampled_from(["Mozilla/5.0", "x", "hello world", ""]))
@settings(max_examples=200, deadline=None)
def test_any_user_agent_is_classified_without_error(agent):
    # ua-parser finds no browser, system or device in many agents the world sends.
    assert audience.device(agent) in {"phone", "tablet", "desktop", "other"}
    assert audience.browser(agent)
    assert isinstance(audience.in_tiktok_app(agent), bool)
    assert audience.source("", agent) in {"tiktok.com", audience.DIRECT}
