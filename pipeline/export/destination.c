/*
 * destination.c — what the FHIR and HL7 exports share: resolving their
 * options, the listing of filed documents (a cursor over ehr.document in a
 * repeatable-read transaction), the bookkeeping of named destinations (what
 * each has received, so that the next export sends only new or changed
 * documents) and the audit row of every export.
 *
 * Interface routines (export_internal.h): cs_export_run_begin,
 * cs_export_run_fetch, cs_export_run_record, cs_export_run_finish,
 * cs_export_run_end; cs_command_actor and cs_export_rejections
 * (pipeline_internal.h).
 *
 * Notes
 *  1. Two exports to one destination at once would both send the same
 *     documents: a session-level advisory lock on the destination's name is
 *     taken before the transaction starts, so that the snapshot an export
 *     reads is taken after the previous export's commit.
 *  2. What went out is noted row by row in a temporary table (COPY, once
 *     per fetched chunk), and only at the end turned into destination items
 *     and the audit row, in the transaction that reads: memory stays flat
 *     however many documents there are, and a failed export records
 *     nothing.  A process killed after sending over MLLP but before its
 *     commit means those messages go again (at least once; TXA-12 and
 *     masterIdentifier let a receiver see the repeat).
 *  3. A document counts as received when the destination's item has the
 *     same export_version and the status sent or accepted; a rejected one
 *     (AE/AR) is sent again on every later export until accepted.
 *  4. Corrections (schema/015_corrections.sql) change a version's
 *     export_version, so a destination receives each of them once: a
 *     replaced version again as superseded (FHIR; HL7 sends the replacing
 *     version as MDM^T10), a cancelled one as entered-in-error (MDM^T11).  A
 *     named destination hears of a cancel only when it had the document;
 *     current_only leaves out superseded versions, not cancelled ones.
 */
#include "pipeline/export/export_internal.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char lock_class[] = "7345007";   /* advisory lock class of export destinations */

static const char *env_or(const char *given, const char *env, const char *fallback)
{
    const char *v;
    if (given && *given)
        return given;
    v = getenv(env);
    return v && *v ? v : fallback;
}

void cs_command_actor(char *out, size_t outlen, const char *given)
{
    const char *a = env_or(given, "CHARTSCAN_ACTOR", NULL);
    if (!a) {
        struct passwd *pw = getpwuid(getuid());
        a = pw && pw->pw_name ? pw->pw_name : NULL;
    }
    if (a)
        snprintf(out, outlen, "%s", a);
    else
        snprintf(out, outlen, "uid %ld", (long)getuid());
}

/* The listing: every column text except the PDF, so binary results are plain strings. */
static const char cursor_sql[] =
    "DECLARE export NO SCROLL CURSOR FOR"
    " SELECT d.document_id::text, d.uuid::text, d.version_status, d.replaces_uuid::text,"
    "        d.patient_mrn, d.patient_last_name, d.patient_first_name, d.patient_middle_name,"
    "        to_char(d.patient_birth_date, 'YYYYMMDD'), d.patient_sex,"
    "        d.type_code, d.type_display, d.type_loinc,"
    "        to_char(d.date_of_service, 'YYYY-MM-DD'), d.page_count::text,"
    "        to_char(coalesce(d.filed_at, now()) AT TIME ZONE 'UTC',"
    "                'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"'),"
    "        d.filed_by, d.batch_name, d.source_file, d.pdf_size::text, d.export_version,"
    "        (SELECT c.value FROM chartscan.site_config c WHERE c.key = 'hl7.txa2.' || d.type_code),"
    "        CASE WHEN $4 THEN d.pdf END, CASE WHEN $5 THEN d.text END"
    "   FROM ehr.document d"
    "  WHERE ($1::bigint IS NULL OR d.batch_id = $1::bigint)"
    "    AND ($2::timestamptz IS NULL"
    "         OR greatest(d.filed_at, d.superseded_at, d.entered_in_error_at) >= $2::timestamptz)"
    "    AND ($3::integer IS NULL OR NOT EXISTS ("
    "          SELECT 1 FROM chartscan.destination_item i"
    "           WHERE i.destination_id = $3::integer AND i.document_id = d.document_id"
    "             AND i.version = d.export_version AND i.status IN ('sent', 'accepted')))"
    "    AND (NOT $6 OR d.version_status <> 'superseded')"
    /* a destination hears of a cancel only when it had the document (note 4) */
    "    AND (d.version_status <> 'entered-in-error' OR $3::integer IS NULL OR EXISTS ("
    "          SELECT 1 FROM chartscan.destination_item i"
    "           WHERE i.destination_id = $3::integer AND i.document_id = d.document_id))"
    "  ORDER BY d.document_id";

/* The setting key of site_config (schema/020_site_config.sql), or NULL. */
static const char *setting(const PGresult *r, const char *key)
{
    for (int i = 0; i < PQntuples(r); i++)
        if (!strcmp(PQgetvalue(r, i, 0), key))
            return PQgetvalue(r, i, 1);
    return NULL;
}

static const char placeholder_system[] = "urn:oid:2.999.1";

/*
 * The identities the run carries: the option, else the site's setting
 * (read in the export's snapshot), else the environment, else the default.
 * The MRNs' system and PID-3.4 come from fhir.mrn_system / hl7.pid3.oid,
 * each standing in for the other when only one is set.  While the one the
 * format uses is the placeholder (an OID under 2.999, the example arc), the
 * export refuses unless o->allow_placeholder_ids.
 */
static int resolve_identities(cs_export_run *run, const cs_export_options *o, char *err,
                              size_t errlen)
{
    static const char *const msh_keys[4] = {
        "hl7.msh3.sending_application", "hl7.msh4.sending_facility",
        "hl7.msh5.receiving_application", "hl7.msh6.receiving_facility"};
    PGresult *r = cs_pq(run->s, "SELECT key, value FROM chartscan.site_config"
                                " WHERE key NOT LIKE 'hl7.txa2.%'", 0, NULL, err, errlen);
    const char *oid, *system, *v;
    char derived[300];

    if (!r)
        return -1;
    oid = setting(r, "hl7.pid3.oid");
    snprintf(derived, sizeof derived, "urn:oid:%s", oid ? oid : "");
    system = o->mrn_system && *o->mrn_system ? o->mrn_system : setting(r, "fhir.mrn_system");
    if (!system)
        system = oid ? derived : env_or(NULL, "CHARTSCAN_MRN_SYSTEM", placeholder_system);
    snprintf(run->mrn_system, sizeof run->mrn_system, "%s", system);
    /* PID-3.4: the OID set for HL7, else the MRN system (an OID as ISO, else a URI) */
    if (oid && !(o->mrn_system && *o->mrn_system)) {
        snprintf(run->aa_id, sizeof run->aa_id, "%s", oid);
        snprintf(run->aa_type, sizeof run->aa_type, "ISO");
    } else if (!strncmp(system, "urn:oid:", 8)) {
        snprintf(run->aa_id, sizeof run->aa_id, "%s", system + 8);
        snprintf(run->aa_type, sizeof run->aa_type, "ISO");
    } else {
        snprintf(run->aa_id, sizeof run->aa_id, "%s", system);
        snprintf(run->aa_type, sizeof run->aa_type, "URI");
    }
    v = setting(r, "hl7.pid3.namespace");
    snprintf(run->aa_namespace, sizeof run->aa_namespace, "%s", v ? v : "");

    v = o->organization && *o->organization ? o->organization
                                            : setting(r, "fhir.custodian.display");
    snprintf(run->organization, sizeof run->organization, "%s",
             v ? v : env_or(NULL, "CHARTSCAN_ORGANIZATION", ""));
    v = setting(r, "fhir.custodian.reference");
    snprintf(run->custodian_reference, sizeof run->custodian_reference, "%s", v ? v : "");
    v = setting(r, "fhir.subject.reference");
    snprintf(run->subject_template, sizeof run->subject_template, "%s", v ? v : "");
    for (int k = 0; k < 4; k++) {
        v = setting(r, msh_keys[k]);
        snprintf(run->msh[k], sizeof run->msh[k], "%s", v ? v : k == 0 ? "CHARTSCAN" : "");
    }
    if (!setting(r, msh_keys[1])) {   /* the custodian's name, as before settings existed */
        snprintf(run->msh[1], sizeof run->msh[1], "%s", run->organization);
        run->msh4_is_text = 1;
    }
    v = setting(r, "hl7.txa9.originator");
    snprintf(run->txa9, sizeof run->txa9, "%s", v ? v : "");
    PQclear(r);

    if (o->allow_placeholder_ids)
        return 0;
    if (!strcmp(run->format, "fhir") && !strncmp(run->mrn_system, "urn:oid:", 8) &&
        cs_oid_is_example(run->mrn_system + 8))
        return cs_fail(err, errlen, "the MRNs' identifier system is the placeholder %s: set "
                       "fhir.mrn_system (or hl7.pid3.oid) with \"chartscan config set\", or "
                       "give --allow-placeholder-ids for a trial export", run->mrn_system);
    if (!strcmp(run->format, "hl7") && !strcmp(run->aa_type, "ISO") &&
        cs_oid_is_example(run->aa_id))
        return cs_fail(err, errlen, "PID-3.4, the MRNs' assigning authority, is the placeholder "
                       "OID %s: set hl7.pid3.oid with \"chartscan config set\", or give "
                       "--allow-placeholder-ids for a trial export", run->aa_id);
    return 0;
}

static int take_destination(cs_export_run *run, char *err, size_t errlen)
{
    const char *p[2] = {run->destination, run->format};
    PGresult *r;
    int ok;

    r = cs_pq(run->s, "SELECT pg_try_advisory_lock($1::integer, hashtext($2))", 2,
              (const char *[]){lock_class, run->destination}, err, errlen);
    if (!r)
        return -1;
    ok = !strcmp(PQgetvalue(r, 0, 0), "t");
    PQclear(r);
    if (!ok)
        return cs_fail(err, errlen, "another export to destination \"%s\" is running",
                       run->destination);
    run->locked = 1;
    if (cs_pq_exec(run->s, "INSERT INTO chartscan.destination (name, format) VALUES ($1, $2)"
                           " ON CONFLICT (name) DO NOTHING", 2, p, err, errlen) < 0)
        return -1;
    r = cs_pq(run->s, "SELECT id, format FROM chartscan.destination WHERE name = $1", 1, p, err,
              errlen);
    if (!r)
        return -1;
    if (PQntuples(r) != 1) {
        PQclear(r);
        return cs_fail(err, errlen, "destination \"%s\" vanished", run->destination);
    }
    if (strcmp(PQgetvalue(r, 0, 1), run->format) != 0) {
        cs_fail(err, errlen, "destination \"%s\" receives %s, not %s (use another name)",
                run->destination, PQgetvalue(r, 0, 1), run->format);
        PQclear(r);
        return -1;
    }
    snprintf(run->destination_id, sizeof run->destination_id, "%s", PQgetvalue(r, 0, 0));
    PQclear(r);
    return 0;
}

int cs_export_run_begin(cs_export_run *run, cs_store *s, const char *format,
                        const cs_export_options *o, int want_pdf, int want_text,
                        int current_only, char *err, size_t errlen)
{
    const char *params[6];

    memset(run, 0, sizeof *run);
    run->s = s;
    run->format = format;
    run->want_pdf = want_pdf;
    run->want_text = want_text;
    /* rows carry a whole PDF each when wanted: fetch fewer at a time */
    run->fetch_size = want_pdf ? 16 : 500;
    cs_command_actor(run->actor, sizeof run->actor, o->actor);
    if (o->destination && *o->destination) {
        if (strlen(o->destination) >= sizeof run->destination)
            return cs_fail(err, errlen, "destination name is too long");
        snprintf(run->destination, sizeof run->destination, "%s", o->destination);
    }
    if (o->batch && cs_resolve_batch(s, o->batch, run->batch_id, err, errlen) < 0)
        return -1;
    if (o->since) {
        const char *p[1] = {o->since};
        char scratch[CS_ERRLEN];
        if (cs_pq_exec(s, "SELECT $1::timestamptz", 1, p, scratch, sizeof scratch) < 0)
            return cs_fail(err, errlen, "invalid time \"%s\" (e.g. 2024-05-01 or "
                           "\"2024-05-01 13:00+02\")", o->since);
    }
    if (run->destination[0] && take_destination(run, err, errlen) < 0)
        return -1;

    if (cs_pq_exec(s, "BEGIN ISOLATION LEVEL REPEATABLE READ", 0, NULL, err, errlen) < 0)
        return -1;
    run->in_transaction = 1;
    if (resolve_identities(run, o, err, errlen) < 0)
        return -1;
    if (cs_pq_exec(s, "CREATE TEMP TABLE export_item (document_id bigint, version text,"
                      " status text, ack_code text, ack_text text, ack_error text)"
                      " ON COMMIT DROP", 0, NULL, err, errlen) < 0)
        return -1;
    params[0] = run->batch_id[0] ? run->batch_id : NULL;
    params[1] = o->since;
    params[2] = run->destination_id[0] ? run->destination_id : NULL;
    params[3] = want_pdf ? "true" : "false";
    params[4] = want_text ? "true" : "false";
    params[5] = current_only ? "true" : "false";
    return cs_pq_exec(s, cursor_sql, 6, params, err, errlen);
}

static int flush_pending(cs_export_run *run, char *err, size_t errlen)
{
    if (!run->pending.len)
        return 0;
    if (cs_copy_begin(run->s, "COPY pg_temp.export_item FROM STDIN", err, errlen) < 0)
        return -1;
    if (cs_copy_send(run->s, &run->pending, err, errlen) < 0) {
        cs_copy_end(run->s, "could not send", NULL, 0);
        return -1;
    }
    cs_buf_reset(&run->pending);
    return cs_copy_end(run->s, NULL, err, errlen);
}

PGresult *cs_export_run_fetch(cs_export_run *run, char *err, size_t errlen)
{
    char sql[64];
    PGresult *r;

    if (flush_pending(run, err, errlen) < 0)
        return NULL;
    snprintf(sql, sizeof sql, "FETCH %d FROM export", run->fetch_size);
    /* binary results: the PDF arrives as bytes, not as hex text twice its size */
    r = cs_pq_bin(run->s, "fetch the documents to export", sql, 0, NULL, NULL, NULL, 1, err,
                  errlen);
    if (!r)
        return NULL;
    if (PQnfields(r) != X_NCOLS) {
        PQclear(r);
        cs_fail(err, errlen, "unexpected export listing");
        return NULL;
    }
    return r;
}

int cs_export_run_record(cs_export_run *run, const PGresult *r, int row, const char *status,
                         const char *ack_code, const char *ack_text, const char *ack_error,
                         char *err, size_t errlen)
{
    cs_buf *b = &run->pending;
    if (cs_copy_value(b, PQgetvalue(r, row, X_ID), 0) < 0 || cs_buf_puts(b, "\t") < 0 ||
        cs_copy_value(b, PQgetvalue(r, row, X_VERSION), 0) < 0 || cs_buf_puts(b, "\t") < 0 ||
        cs_copy_value(b, status, 0) < 0 || cs_buf_puts(b, "\t") < 0 ||
        cs_copy_value(b, ack_code, 1) < 0 || cs_buf_puts(b, "\t") < 0 ||
        cs_copy_value(b, ack_text, 1) < 0 || cs_buf_puts(b, "\t") < 0 ||
        cs_copy_value(b, ack_error, 1) < 0 || cs_buf_puts(b, "\n") < 0)
        return cs_fail(err, errlen, "out of memory");
    if (!strcmp(status, "rejected"))
        run->rejected++;
    else
        run->exported++;
    return 0;
}

int cs_export_run_finish(cs_export_run *run, char *err, size_t errlen)
{
    char count[24], rejected[24];
    const char *p[7];

    if (flush_pending(run, err, errlen) < 0)
        return -1;
    if (cs_pq_exec(run->s, "CLOSE export", 0, NULL, err, errlen) < 0)
        return -1;
    if (run->destination_id[0]) {
        const char *dp[1] = {run->destination_id};
        if (cs_pq_exec(run->s,
                "INSERT INTO chartscan.destination_item AS i"
                "   (destination_id, document_id, version, status, ack_code, ack_text, ack_error)"
                " SELECT $1::integer, document_id, version, status, ack_code, ack_text, ack_error"
                "   FROM pg_temp.export_item"
                " ON CONFLICT (destination_id, document_id) DO UPDATE"
                "   SET version = EXCLUDED.version, status = EXCLUDED.status,"
                "       ack_code = EXCLUDED.ack_code, ack_text = EXCLUDED.ack_text,"
                "       ack_error = EXCLUDED.ack_error,"
                "       attempts = i.attempts + 1, sent_at = now()",
                1, dp, err, errlen) < 0 ||
            cs_pq_exec(run->s, "UPDATE chartscan.destination SET last_export_at = now()"
                               " WHERE id = $1::integer", 1, dp, err, errlen) < 0)
            return -1;
    }
    p[0] = run->actor;
    p[1] = run->destination[0] ? run->destination : NULL;
    p[2] = run->format;
    p[3] = cs_i64(count, run->exported);
    p[4] = cs_i64(rejected, run->rejected);
    p[5] = run->target;
    p[6] = run->want_pdf ? "pdf" : (run->want_text ? "text" : "none");
    if (cs_pq_exec(run->s,
            "INSERT INTO chartscan.audit (actor, action, object_kind, object_id, detail)"
            " SELECT $1::text, 'export', 'destination', $2::text,"
            "        jsonb_build_object('destination', $2::text, 'format', $3::text,"
            "          'count', $4::integer, 'rejected', $5::integer, 'target', $6::text,"
            "          'content', $7::text,"
            "          'documents', coalesce((SELECT jsonb_agg(document_id ORDER BY document_id)"
            "                                   FROM pg_temp.export_item"
            "                                  WHERE status <> 'rejected'), '[]'::jsonb),"
            "          'rejected_documents',"
            "                      coalesce((SELECT jsonb_agg(document_id ORDER BY document_id)"
            "                                   FROM pg_temp.export_item"
            "                                  WHERE status = 'rejected'), '[]'::jsonb))",
            7, p, err, errlen) < 0)
        return -1;
    if (cs_pq_commit(run->s, err, errlen) < 0)
        return -1;
    run->in_transaction = 0;
    return 0;
}

void cs_export_run_end(cs_export_run *run)
{
    if (!run || !run->s)
        return;
    if (run->in_transaction)
        cs_pq_rollback(run->s);
    run->in_transaction = 0;
    if (run->locked) {
        char scratch[CS_ERRLEN];
        cs_pq_exec(run->s, "SELECT pg_advisory_unlock($1::integer, hashtext($2))", 2,
                   (const char *[]){lock_class, run->destination}, scratch, sizeof scratch);
        run->locked = 0;
    }
    cs_buf_free(&run->pending);
}

int cs_export_rejections(cs_store *s, FILE *out, char *err, size_t errlen)
{
    PGresult *r = cs_pq(s,
        "SELECT d.batch_id, count(DISTINCT d.id), string_agg(DISTINCT t.name, ', ')"
        "  FROM chartscan.destination_item i"
        "  JOIN chartscan.destination t ON t.id = i.destination_id"
        "  JOIN chartscan.document d ON d.id = i.document_id"
        " WHERE i.status = 'rejected' GROUP BY d.batch_id ORDER BY d.batch_id", 0, NULL, err,
        errlen);

    if (!r)
        return -1;
    for (int i = 0; i < PQntuples(r); i++)
        fprintf(out, "batch %s: %s document%s rejected by %s (the reasons: \"chartscan report "
                "%s\")\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1),
                strcmp(PQgetvalue(r, i, 1), "1") ? "s" : "", PQgetvalue(r, i, 2),
                PQgetvalue(r, i, 0));
    PQclear(r);
    return 0;
}
