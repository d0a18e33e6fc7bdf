-- wrk -t2 -c16 -d10s --latency -s docs/wrk/get.lua http://127.0.0.1:3000
-- GET /get/kN, N uniform over the 1,000 keys that load-keys.lua stores.
request = function()
  return wrk.format("GET", "/get/k" .. math.random(0, 999))
end
