-- 006_review.sql — the QA review station (issue 6): reviewer accounts,
-- login sessions, the throttle on failed logins, leases that keep two
-- reviewers off the same document, and the reviewer-confirmed document
-- types kept as labelled examples for `chartscan train --from-reviews`.
-- Review actions write to the audit table of 004 in their own transaction.

CREATE TABLE review_user (
    id             bigserial PRIMARY KEY,
    name           text NOT NULL UNIQUE CHECK (name ~ '^[A-Za-z0-9._-]{1,64}$'),
    role           text NOT NULL CHECK (role IN ('reviewer', 'admin')),
    password_hash  text NOT NULL,                 -- libsodium crypto_pwhash_str (Argon2id)
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now()
);

-- A login session.  The cookie holds a random token; only its SHA-256 is
-- stored, so a copy of this table lets nobody in.  The CSRF token is
-- per session and is sent back by the page in a request header.
CREATE TABLE review_session (
    token_hash     text PRIMARY KEY,
    user_id        bigint NOT NULL REFERENCES review_user ON DELETE CASCADE,
    csrf_token     text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_seen      timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL             -- idle expiry, pushed on each request
);
CREATE INDEX review_session_expiry ON review_session (expires_at);

-- Failed logins, by user name and by client address: after a few, the
-- next attempt is refused until next_allowed (doubling each time).
CREATE TABLE login_throttle (
    key            text PRIMARY KEY,                -- 'user:NAME' or 'addr:ADDRESS'
    failures       integer NOT NULL DEFAULT 0,
    next_allowed   timestamptz NOT NULL DEFAULT now()
);

-- Who works on a document.  Opening a document claims it; the claim is
-- renewed while the page is open and lapses at lease_until.
CREATE TABLE review_lease (
    document_id    bigint PRIMARY KEY REFERENCES document ON DELETE CASCADE,
    reviewer       text NOT NULL,
    lease_until    timestamptz NOT NULL
);

-- Document types as a reviewer confirmed them, with the text they were
-- confirmed on: labelled examples for retraining.  One per document (the
-- last confirmation wins); kept when the document is later reprocessed.
CREATE TABLE review_example (
    document_id    bigint PRIMARY KEY,
    doctype        text NOT NULL REFERENCES doctype,
    text           text NOT NULL,
    reviewer       text NOT NULL,
    predicted      text,                            -- what the model had said
    confirmed_at   timestamptz NOT NULL DEFAULT now()
);

-- The state of a document as the audit trail records it, before and after
-- an action.
CREATE FUNCTION review_snapshot(doc bigint) RETURNS jsonb
LANGUAGE sql STABLE AS $$
    SELECT jsonb_build_object(
        'status', d.status, 'doctype', d.doctype, 'patient_id', d.patient_id,
        'patient_mrn', (SELECT p.mrn FROM chartscan.patient p WHERE p.id = d.patient_id),
        'first_page', d.first_page, 'last_page', d.last_page, 'page_count', d.page_count,
        'review_reason', d.review_reason, 'filed_by', d.filed_by,
        'pages', (SELECT coalesce(jsonb_agg(pg.page_no ORDER BY pg.page_no), '[]'::jsonb)
                    FROM chartscan.page pg WHERE pg.document_id = d.id))
      FROM chartscan.document d WHERE d.id = doc
$$;

-- The queue's order: the weaker of the type's confidence and the patient
-- match's (the best candidate's probability while no patient is chosen).
CREATE FUNCTION review_priority(d chartscan.document) RETURNS real
LANGUAGE sql STABLE AS $$
    SELECT least(coalesce(d.doctype_confidence, 0),
                 coalesce(d.patient_confidence, (d.candidates->0->>'probability')::real, 0))
$$;
CREATE INDEX document_in_review ON document (batch_id) WHERE status = 'review';

-- A correction of a filed document is a new version (005): the new row
-- starts at the same page as the one it replaces, so a file's pages are
-- unique among its current versions only.
ALTER TABLE document DROP CONSTRAINT document_file_id_first_page_key;
CREATE UNIQUE INDEX document_current_first_page ON document (file_id, first_page)
    WHERE superseded_at IS NULL;
