-- wrk -t1 -c4 -d10s -s docs/wrk/load-keys.lua http://127.0.0.1:3000
-- Stores k0 .. k999 (16-byte values) over and over, for get.lua to read.
local i = -1
request = function()
  i = (i + 1) % 1000
  return wrk.format("POST", "/set", {["Content-Type"] = "application/json"},
    '{"key":"k' .. i .. '","value":"abcdefghijklmnop"}')
end
