-- wrk script: registers service requests (POST /api/v1/requests) with a JSON body.
-- Usage (see docs/nodes.md):
--   WUYE_TOKEN=... WUYE_COMMUNITY=1 wrk -t2 -c32 -d10s --latency \
--     -s .ci/wrk-create-request.lua http://127.0.0.1:8088/api/v1/requests
-- With WUYE_IDEMPOTENT=1 each request carries a fresh Idempotency-Key, as a careful client sends.
local token = os.getenv("WUYE_TOKEN") or error("set WUYE_TOKEN")
local community = os.getenv("WUYE_COMMUNITY") or "1"
local keyed = os.getenv("WUYE_IDEMPOTENT") == "1"

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = '{"community_id":' .. community .. ',"kind":"repair_common","category":"elevator",'
  .. '"channel":"hotline","location":"3栋电梯厅","description":"电梯运行有异响（压测）"}'

local threads = 0
function setup(thread)
  threads = threads + 1
  -- Keys unique across threads and runs.
  thread:set("tag", os.time() .. "-" .. threads)
end

local counter = 0
function request()
  if not keyed then
    return wrk.format()
  end
  counter = counter + 1
  local h = {}
  for k, v in pairs(wrk.headers) do
    h[k] = v
  end
  h["Idempotency-Key"] = "wrk-" .. tag .. "-" .. counter
  return wrk.format(nil, nil, h)
end
