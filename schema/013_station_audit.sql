-- 013_station_audit.sql — the review station under abuse (issue 12).
--
-- Every audit row written by the station names the client's address: the
-- station sets chartscan.client_address on its connection for each request
-- (set_config, no privilege needed), and the column takes it by default, so
-- no audit path can forget it.  Rows written by the command line leave it
-- NULL.  The address is the peer's, or the one the trusted proxy put in
-- X-Forwarded-For (chartscan serve --trusted-proxy).
ALTER TABLE audit ADD COLUMN client_address text
    DEFAULT nullif(current_setting('chartscan.client_address', true), '');

-- The roster search's rate limit counts a user's recent searches here.
CREATE INDEX audit_actor_action ON audit (actor, action, at);

-- Failed logins are now throttled per (user name, client address) and per
-- client address: the old per-name rows would lock an owner out for
-- nothing.
DELETE FROM login_throttle WHERE key LIKE 'user:%' AND position('@' IN key) = 0;
COMMENT ON COLUMN login_throttle.key IS 'user:NAME@ADDRESS or addr:ADDRESS';
