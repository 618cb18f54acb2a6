-- Argo CD health for provider-stateful's managed resources. Crossplane's Ready and Synced conditions, and this
-- provider's own InputRejected, map to Argo CD's health:
--   Healthy      Ready=True (the resource is usable; a failed poll of a usable resource — throttling, an outage —
--                is retried and shown in the message, not Degraded)
--   Degraded     the cloud rejected the spec (InputRejected=True: terminal until the spec changes), or the
--                resource is unusable until someone acts (Ready=False, reason Unavailable)
--   Progressing  everything else: creating, deleting, waiting for a reference, retrying a transient error
local hs = {status = "Progressing", message = "Waiting for the provider to observe the resource"}
if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  hs.message = "Deleting"
  return hs
end
if obj.status == nil or obj.status.conditions == nil then
  return hs
end
local ready, synced, rejected
for _, c in ipairs(obj.status.conditions) do
  if c.type == "Ready" then
    ready = c
  elseif c.type == "Synced" then
    synced = c
  elseif c.type == "InputRejected" then
    rejected = c
  end
end
if rejected ~= nil and rejected.status == "True" then
  hs.status = "Degraded"
  hs.message = rejected.message or "The cloud rejected the spec"
  return hs
end
if ready ~= nil and ready.status == "True" then
  hs.status = "Healthy"
  hs.message = ready.message or ""
  if synced ~= nil and synced.status == "False" then
    hs.message = "Usable; the last sync failed and is retried: " .. (synced.message or "")
  end
  return hs
end
if ready ~= nil and ready.status == "False" and ready.reason == "Unavailable" then
  hs.status = "Degraded"
  hs.message = ready.message or "Unavailable"
  return hs
end
if synced ~= nil and synced.status == "False" then
  hs.message = "Retrying: " .. (synced.message or "")
  return hs
end
if ready ~= nil then
  hs.message = ready.reason or ""
  if ready.message ~= nil then
    hs.message = hs.message .. ": " .. ready.message
  end
end
return hs
