-- wrk script: GETs the URL, with AUTH as the Authorization header when set; with LINES_FILE,
-- each request uses a random line as the bearer token (spreading lookups over the store).
function init(args)
  auth = os.getenv("AUTH")
  lines = {}
  local file = os.getenv("LINES_FILE")
  if file then
    for line in io.lines(file) do table.insert(lines, line) end
  end
  math.randomseed(os.time() + (tonumber(tostring({}):sub(8), 16) or 0))
end

function request()
  local headers = {}
  if #lines > 0 then
    headers["Authorization"] = "Bearer " .. lines[math.random(#lines)]
  elseif auth then
    headers["Authorization"] = auth
  end
  return wrk.format("GET", nil, headers, nil)
end
