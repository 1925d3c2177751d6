-- 004_audit.sql — the audit trail: who did what to which object, when, with
-- the state before and after.  Written in the same transaction as the action
-- it records (review actions, document views, exports).  Rows are only ever
-- inserted.

CREATE TABLE audit (
    id           bigserial PRIMARY KEY,
    at           timestamptz NOT NULL DEFAULT now(),
    actor        text NOT NULL,          -- a reviewer's name, or 'system', or the OS user for CLI exports
    action       text NOT NULL,          -- e.g. 'view', 'confirm', 'change_patient', 'export'
    object_kind  text,                   -- 'document', 'page', 'destination', ...
    object_id    text,
    detail       jsonb,                  -- what the action needs to be understood (ids, counts)
    before       jsonb,
    after        jsonb
);
CREATE INDEX audit_at ON audit (at);
CREATE INDEX audit_actor ON audit (actor, at);
CREATE INDEX audit_object ON audit (object_kind, object_id);
