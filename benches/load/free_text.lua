-- Unique free-text profiles on every request, for compare.sh (README "Performance", free text):
-- one sentence of 14–19 words as typed into the page's role box, the shape that takes copmatch's
-- free-text path (a second model re-reads the first 40 results). Like the shared rec.lua, a
-- counter is glued to the last word so that the word count never changes. The sentences were
-- written for this script, not taken from any evaluation set.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local sentences = {
  "night shift nurse on a cardiac step-down unit who wants to talk with other nurses about burnout",
  "self-taught backend developer writing Go microservices and trying to learn how people run them in production",
  "high school chemistry teacher looking for lab safety ideas and lesson plans that actually work",
  "freelance bookkeeper for small restaurants who needs help with payroll software and sales tax questions",
  "hobbyist woodworker building furniture in a one-car garage and looking for advice on hand tools",
  "junior data analyst at a hospital using SQL and Tableau to build dashboards for managers",
  "wedding photographer starting out who wants feedback on editing and on pricing my packages",
  "union electrician doing commercial work and studying for the master electrician exam next spring",
  "volunteer coordinator at a food bank trying to keep our weekend volunteers coming back",
  "game programmer making a small roguelike in Godot who keeps getting stuck on procedural generation",
}
local i = 100000 + (os.time() % 800) * 1000
request = function()
  i = i + 1
  local text = sentences[(i % #sentences) + 1] .. i
  return wrk.format(nil, nil, nil, '{"profile":{"roles":["' .. text .. '"]},"limit":10}')
end
