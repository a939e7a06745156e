-- One benchmark scenario for wrk:
--   wrk -t<threads> -s bench/wrk/scenario.lua <url> -- <scenario> <data dir> <out prefix> <threads> <run id> warm|measure
-- (a warm-up books the last hot show and scans ticket codes from the end of the list).
--
-- The data directory holds what bench/run.py wrote: one value per line in
-- tokens.txt (customers' access tokens), shows.txt, codes.txt (ticket codes
-- nobody has checked in), and params.txt (name=value). Each wrk thread has
-- its own copy of this script; setup() numbers the threads so they draw
-- different random seats and different ticket codes.
--
-- Every answer's status is counted. A 201 to a booking or a hold confirmation
-- is written to <out prefix>.<thread>.txt as "booking show seat", so that
-- bench/run.py can check each one against the database afterwards; requests
-- with an Idempotency-Key to <out prefix>.<thread>.sent as "key token show seat".
--
-- In the done() hook, which runs once in wrk's main thread, the script prints
-- one line, "BENCH {json}", with the counts and latency percentiles.

local threads = {}
local thread_count = 0

function setup(thread)
   thread_count = thread_count + 1
   thread:set("id", thread_count)
   table.insert(threads, thread)
end

local function lines(path)
   local out = {}
   local file = io.open(path, "r")
   if file == nil then return out end
   for line in file:lines() do
      if line ~= "" then table.insert(out, line) end
   end
   file:close()
   return out
end

local scenario, params, tokens, shows, codes, created, mixed
local thread_id, thread_total, holder, run_id, sent, warm
local pending_holds = {}   -- hold ids this thread created and has yet to confirm
local on_list = false      -- waiting_list: whether this thread's customer is on the list now
local next_code = 0
local next_seat = 0
local hot_shows = {}
statuses = {}              -- status code -> count, read by done() through thread:get

local function get(path, token)
   local headers = {}
   if token then headers["Authorization"] = "Bearer " .. token end
   return wrk.format("GET", path, headers)
end

local function post(path, body, token)
   return wrk.format("POST", path, {
      ["Authorization"] = "Bearer " .. token,
      ["Content-Type"] = "application/json",
   }, body)
end

local function any(list) return list[math.random(#list)] end

local function book(show, seat)
   return post("/shows/" .. show .. "/book/", '{"seat_number": ' .. seat .. '}', any(tokens))
end

-- With an Idempotency-Key, as an app in a rush sends it, written down with
-- the request: a request still in flight when wrk stops is never answered,
-- and bench/run.py sends it again with the same key to learn its answer.
local sent_count = 0
local function book_keyed(show, seat)
   sent_count = sent_count + 1
   local key = "bench-" .. run_id .. "-" .. thread_id .. "-" .. sent_count
   local token = math.random(#tokens)
   sent:write(key, " ", token, " ", show, " ", seat, "\n")
   return wrk.format("POST", "/shows/" .. show .. "/book/", {
      ["Authorization"] = "Bearer " .. tokens[token],
      ["Content-Type"] = "application/json",
      ["Idempotency-Key"] = key,
   }, '{"seat_number": ' .. seat .. '}')
end

-- A hold can only be confirmed by its holder, and wrk does not say which
-- request an answer belongs to: each thread holds as one customer of its own.
local function hold_or_confirm()
   local hold = table.remove(pending_holds)
   if hold then return post("/holds/" .. hold .. "/confirm/", "{}", holder) end
   return post("/shows/" .. any(shows) .. "/holds/", '{"seat_number": ' .. math.random(tonumber(params.spread_seats)) .. '}', holder)
end

-- The order paths, as one customer per thread: hold a seat, order the hold
-- (plainly, or the seat as a child ticket with the data set's promo code),
-- then a last step with the order, again. orders and priced_orders cancel it,
-- which frees the seat; order_and_pay asks to pay (the service makes the
-- Stripe PaymentIntent): the intent's id is written to <out prefix>.<thread>.pay,
-- where bench/run.py's payer confirms it at the Stripe emulator as Stripe.js
-- would, and the emulator's webhook then books the seat.
local walk_holds, walk_orders = {}, {}  -- "hold seat" this thread has yet to order; orders to take the last step with
local paying
local function order_walk(order_body, last_step)
   return function()
      local order = table.remove(walk_orders)
      if order then return last_step(order) end
      local held = table.remove(walk_holds)
      if held then
         local hold, seat = held:match("^(%d+) (%d+)$")
         return post("/orders/", order_body(hold, seat), holder)
      end
      return post("/shows/" .. any(shows) .. "/holds/", '{"seat_number": ' .. math.random(tonumber(params.spread_seats)) .. '}', holder)
   end
end
local function plain(hold) return '{"hold": ' .. hold .. '}' end
local function priced(hold, seat)
   return '{"hold": ' .. hold .. ', "seats": [{"seat_number": ' .. seat .. ', "ticket_type": "child"}], "promo_code": "bench10"}'
end
local function cancel(order) return post("/orders/" .. order .. "/cancel/", "{}", holder) end
local function pay(order) return post("/orders/" .. order .. "/pay/", "{}", holder) end
local walks = {orders = order_walk(plain, cancel), priced_orders = order_walk(priced, cancel), order_and_pay = order_walk(plain, pay)}

local requests = {
   baseline = function() return get("/healthz") end,
   movies = function() return get("/movies/") end,
   shows_by_date = function() return get("/shows/?date=" .. params.busy_date) end,
   seat_map = function() return get("/shows/" .. params.seat_map_show .. "/seats/") end,
   me = function() return get("/me/", any(tokens)) end,
   my_bookings = function() return get("/my-bookings/", any(tokens)) end,
   book_spread = function() return book(any(shows), math.random(tonumber(params.spread_seats))) end,
   book_hot = function()
      -- Every thread walks its own seats through the hot shows, one show after
      -- the other: all requests queue on one show's lock, and none is a 409.
      local n = next_seat * thread_total + thread_id - 1
      next_seat = next_seat + 1
      local seats = tonumber(params.hot_seats)
      local show = hot_shows[math.floor(n / seats) + 1]
      if warm then show = hot_shows[#hot_shows] end  -- the warm-up books the last show, which a run never reaches
      return book_keyed(show, n % seats + 1)
   end,
   premiere_rush = function()
      return book_keyed(params.premiere_show, math.random(tonumber(params.premiere_seats)))
   end,
   holds = hold_or_confirm,
   -- As holds, but best available for a party of 2 to 6 in the 5,000-seat hall (chosen under
   -- the show's lock), then confirmed: the hall fills as on a premiere night.
   party_holds = function()
      -- The warm-up only holds, in another empty hall: a hold it left unconfirmed would keep
      -- its customer at the one-hold-per-show limit in the run's show, and a confirmation
      -- in flight when it stops would be a sale no 201 told of in a show the check reads.
      if warm then
         return post("/shows/" .. hot_shows[#hot_shows] .. "/holds/", '{"party": ' .. math.random(2, 6) .. '}', holder)
      end
      local hold = table.remove(pending_holds)
      if hold then return post("/holds/" .. hold .. "/confirm/", "{}", holder) end
      return post("/shows/" .. params.party_show .. "/holds/", '{"party": ' .. math.random(2, 6) .. '}', holder)
   end,
   -- Join the sold-out show's waiting list and leave it again, as one customer per thread.
   waiting_list = function()
      local path = "/shows/" .. params.sold_out_show .. "/waiting-list/"
      if on_list then return wrk.format("DELETE", path, {["Authorization"] = "Bearer " .. holder}) end
      return post(path, '{"seats": 2}', holder)
   end,
   orders = walks.orders,
   priced_orders = walks.priced_orders,
   order_and_pay = walks.order_and_pay,
   check_in = function()
      -- Each thread takes every thread_count-th code, so no code is scanned twice.
      next_code = next_code + 1
      local code = codes[(next_code - 1) * thread_total + thread_id]
      if warm then code = codes[#codes + 1 - ((next_code - 1) * thread_total + thread_id)] end  -- from the end
      return post("/check-ins/", '{"code": "' .. code .. '", "device": "bench"}', params.door_token)
   end,
}

-- The mixed scenario: mostly public catalog and seat-map reads, some
-- my-bookings, some bookings and holds (weights out of 100).
local mix = {
   {40, function() return get("/shows/?date=" .. params.busy_date) end},
   {15, function() return get("/movies/") end},
   {20, function() return get("/shows/" .. any(shows) .. "/seats/") end},
   {10, requests.my_bookings},
   {8, requests.book_spread},
   {7, hold_or_confirm},
}

requests.mixed = function()
   local roll = math.random(100)
   for _, entry in ipairs(mix) do
      roll = roll - entry[1]
      if roll <= 0 then return entry[2]() end
   end
   return mix[1][2]()
end

function init(args)
   scenario = args[1]
   local dir = args[2]
   params = {}
   for _, line in ipairs(lines(dir .. "/params.txt")) do
      local name, value = line:match("^([%w_]+)=(.*)$")
      params[name] = value
   end
   for show in params.hot_shows:gmatch("%d+") do table.insert(hot_shows, show) end
   tokens = lines(dir .. "/tokens.txt")
   shows = lines(dir .. "/shows.txt")
   if scenario == "check_in" then codes = lines(dir .. "/codes.txt") end
   thread_id = wrk.thread:get("id")
   thread_total = tonumber(args[4])
   holder = tokens[thread_id]
   math.randomseed(os.time() * 100 + thread_id)
   created = io.open(args[3] .. "." .. thread_id .. ".txt", "w")
   sent = io.open(args[3] .. "." .. thread_id .. ".sent", "w")
   -- wrk never closes a thread's script: write each line out as it is made.
   created:setvbuf("line")
   sent:setvbuf("line")
   if scenario == "order_and_pay" then
      paying = io.open(args[3] .. "." .. thread_id .. ".pay", "w")
      paying:setvbuf("line")
   end
   run_id = args[5]
   warm = args[6] == "warm"
   if requests[scenario] == nil then error("unknown scenario " .. scenario) end
   request = requests[scenario]
end

function response(status, headers, body)
   statuses[status] = (statuses[status] or 0) + 1
   if scenario == "waiting_list" then
      on_list = status == 201 or status == 409  -- joined, or already on it: leave next
      return
   end
   if walks[scenario] then
      -- An order: its last step next. A hold: order it next. A checkout: pay it.
      if status == 201 and body and body:find('"paid_at"', 1, true) then
         table.insert(walk_orders, body:match('^{"id":%s*(%d+)'))
      elseif status == 201 and body then
         table.insert(walk_holds, body:match('^{"id":%s*(%d+)') .. " " .. body:match('"seat_numbers":%s*%[(%d+)'))
      elseif status == 200 and body and paying then
         local intent = body:match('"payment_intent":%s*"([%w_]+)"')
         if intent then paying:write(intent, "\n") end
      end
      return
   end
   if status == 201 and body then
      -- A hold: confirm it next. A booking or a confirmed hold: remember it.
      if body:find('"expires_at"', 1, true) then
         local hold = body:match('^{"id":%s*(%d+)')
         if hold then table.insert(pending_holds, hold) end
      elseif body:find('"seat_number"', 1, true) and not body:find('"checked_in_by"', 1, true) then
         -- A booking, or a purchase of several (a party's confirmed hold): each of its bookings.
         for id, show, seat in body:gmatch('"id":%s*(%d+),%s*"show":%s*(%d+),%s*"seat_number":%s*(%d+)') do
            created:write(id, " ", show, " ", seat, "\n")
         end
      end
   end
end

function done(summary, latency, _)
   local counts = {}
   for _, thread in ipairs(threads) do
      for status, n in pairs(thread:get("statuses")) do
         counts[status] = (counts[status] or 0) + n
      end
   end
   local parts = {}
   for status, n in pairs(counts) do table.insert(parts, '"' .. status .. '": ' .. n) end
   local errors = summary.errors
   io.write(string.format(
      'BENCH {"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, ' ..
      '"socket_errors": %d, "statuses": {%s}}\n',
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(95),
      latency:percentile(99), latency.max, errors.connect + errors.read + errors.write + errors.timeout,
      table.concat(parts, ", ")))
end
