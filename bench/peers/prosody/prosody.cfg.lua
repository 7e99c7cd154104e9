-- Prosody 0.12.3 (Debian 12) as a same-job peer for bench/compare: one-to-one chat and
-- multi-user rooms over WebSocket (RFC 7395), every message archived by mod_mam in SQLite. bench/peers/run-prosody
-- copies this file into a temporary directory and replaces the @NAMES@; nothing else changes.
-- Loopback only, registration open and plain passwords: for measuring, never for use.
pidfile = "@DIR@/prosody.pid"
data_path = "@DIR@/data"
certificates = "@DIR@/certs" -- empty: there is no TLS on loopback
log = { warn = "@DIR@/prosody.log" }
admins = { }
modules_enabled = {
  "roster"; "saslauth"; "disco"; "ping"; "posix"; "register";
  "websocket"; "carbons"; "smacks";
  -- Stores every message in the sender's and the recipient's archive (two rows), on Prosody's
  -- one thread, before it is routed on.
  "mam";
}
modules_disabled = { "s2s"; "offline" }
interfaces = { "127.0.0.1" }
c2s_ports = { }
s2s_ports = { }
https_ports = { }
http_ports = { @WS_PORT@ }
http_interfaces = { "127.0.0.1" }
consider_websocket_secure = true
c2s_require_encryption = false
allow_unencrypted_plain_auth = true
allow_registration = true -- the load generator registers its accounts in-band (XEP-0077)
authentication = "internal_hashed"
limits = { c2s = { rate = "100mb/s" } }

-- Accounts, rosters and the archive in one SQLite database. Prosody sets no PRAGMA, so SQLite's
-- defaults hold: a rollback journal and synchronous = FULL, that is fdatasync at every commit,
-- one transaction per archived copy, no group commit.
storage = "sql"
sql = { driver = "SQLite3", database = "prosody.sqlite" }
archive_expires_after = "never"
default_archive_policy = true

VirtualHost "localhost"

-- Multi-user chat rooms for the fan-out comparison: rooms are created by their first occupant,
-- and every room keeps its own archive (one row per message, stored before the room sends it on
-- to its occupants), in the same SQLite database.
Component "conference.localhost" "muc"
  modules_enabled = { "muc_mam" }
  muc_log_all_rooms = true
  -- Persistent: a room that is not deletes its archive when its last occupant leaves.
  muc_room_default_persistent = true
