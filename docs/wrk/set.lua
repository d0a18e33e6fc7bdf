-- wrk -t2 -c16 -d10s --latency -s docs/wrk/set.lua http://127.0.0.1:3000
-- POST /set of distinct keys (a prefix per thread and run, then a counter), 16-byte values.
local counter = 0
local next_thread = 0
function setup(thread)
  thread:set("tid", next_thread)
  next_thread = next_thread + 1
end
function init(args)
  math.randomseed(os.time() + tid)
  prefix = "w" .. tid .. "-" .. math.random(1, 1e9) .. "-"
end
request = function()
  counter = counter + 1
  local body = '{"key":"' .. prefix .. counter .. '","value":"abcdefghijklmnop"}'
  return wrk.format("POST", "/set", {["Content-Type"] = "application/json"}, body)
end
