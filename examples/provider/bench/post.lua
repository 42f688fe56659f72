-- wrk script: POSTs a form. Each request may take the next line of LINES_FILE (split between
-- threads, never reused) into the body; prints one RESULT line of JSON when done.
--   BODY     the form, with {line} where a line goes
--   AUTH     an Authorization header value (optional)
--   REUSE    when set, each request takes a line at random instead (lines are reused)
local threads = {}
local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
  table.insert(threads, thread)
end

function init(args)
  body_template = os.getenv("BODY") or ""
  auth = os.getenv("AUTH")
  lines = {}
  local file = os.getenv("LINES_FILE")
  if file then
    local n = 0
    for line in io.lines(file) do
      if n % counter_total() == id then table.insert(lines, line) end
      n = n + 1
    end
  end
  next_line = 1
  reuse = os.getenv("REUSE") ~= nil
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"
  if auth then wrk.headers["Authorization"] = auth end
end

function counter_total()
  return tonumber(os.getenv("THREADS") or "2")
end

function request()
  local body = body_template
  if #lines > 0 then
    local line
    if reuse then
      line = lines[math.random(#lines)]
    else
      line = lines[next_line] or ""
      next_line = next_line + 1
    end
    body = string.gsub(body_template, "{line}", line)
  end
  return wrk.format(nil, nil, nil, body)
end
