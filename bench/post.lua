-- wrk script of the benchmark: POST a GraphQL request, one random id and one random token each.
-- Env: BODY_FILE    the JSON body, with __ID__ where the id goes (once)
--      IDS_FILE     ids to pick from, one a line (inserted as they are: quote them in BODY_FILE)
--      TOKENS_FILE  bearer tokens to pick from, one a line (optional)
-- Prints one line: RESULT {json} with req/s, latency percentiles and the failures it saw
-- (non-200 responses, bodies with "errors", and bodies with `null` data where data was expected).
local function lines(path)
  local t = {}
  if path == nil or path == "" then return t end
  for line in io.lines(path) do
    if line ~= "" then t[#t + 1] = line end
  end
  return t
end

local function read(path)
  local f = assert(io.open(path, "r"))
  local s = f:read("*a")
  f:close()
  return s
end

local threads, counter = {}, 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  local body = read(os.getenv("BODY_FILE"))
  local at = body:find("__ID__", 1, true)
  if at then
    prefix, suffix = body:sub(1, at - 1), body:sub(at + 6)
  else
    prefix, suffix = body, nil
  end
  ids = lines(os.getenv("IDS_FILE"))
  tokens = lines(os.getenv("TOKENS_FILE"))
  math.randomseed(os.time() * 1000 + tid * 7919)
  non200, gqlerrors, nulls, responses = 0, 0, 0, 0
end

function request()
  local body = prefix
  if suffix then body = prefix .. ids[math.random(1, #ids)] .. suffix end
  local headers = { ["Content-Type"] = "application/json" }
  if #tokens > 0 then headers["Authorization"] = "Bearer " .. tokens[math.random(1, #tokens)] end
  return wrk.format("POST", "/graphql", headers, body)
end

function response(status, headers, body)
  responses = responses + 1
  if status ~= 200 then
    non200 = non200 + 1
  elseif body:find('"errors"', 1, true) then
    gqlerrors = gqlerrors + 1
  elseif #body < 64 and body:sub(-7) == ':null}}' then
    nulls = nulls + 1
  end
end

function done(summary, latency, requests)
  local bad, gql, null = 0, 0, 0
  for _, t in ipairs(threads) do
    bad = bad + t:get("non200")
    gql = gql + t:get("gqlerrors")
    null = null + t:get("nulls")
  end
  local e = summary.errors
  io.write(string.format(
    'RESULT {"rps": %.2f, "requests": %d, "duration_s": %.3f, "p50_ms": %.3f, "p90_ms": %.3f, ' ..
    '"p99_ms": %.3f, "max_ms": %.3f, "mean_ms": %.3f, "bytes": %d, "non200": %d, ' ..
    '"graphql_errors": %d, "null_data": %d, "socket_errors": %d, "timeouts": %d}\n',
    summary.requests / (summary.duration / 1e6), summary.requests, summary.duration / 1e6,
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, latency.mean / 1000, summary.bytes, bad, gql, null,
    e.connect + e.read + e.write + e.status, e.timeout))
end
