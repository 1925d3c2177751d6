/*
 * config.c — `chartscan config set KEY VALUE | unset KEY | list`: the site's
 * interface settings, the identities its HL7 and FHIR exports carry
 * (schema/020_site_config.sql).  The exports read them (export/destination.c).
 *
 * Interface routines: cs_config_set, cs_config_unset, cs_config_list
 * (pipeline.h); cs_oid_valid, cs_oid_is_example (pipeline_internal.h).
 *
 * Notes
 *  1. Every key is checked against the table below, and every value by its
 *     key's checker, before anything is written: a value the exports could
 *     not put into a message as it is (an HL7 delimiter where none belongs,
 *     an OID that is not one, a reference FHIR would refuse) is refused here
 *     with the reason, not found at the first export.  An unknown key gets
 *     the nearest key ("did you mean") and the list of keys.
 *  2. hl7.txa2.<doctype> is one key per document type of the taxonomy
 *     (table doctype), so a type must exist before it gets a code.
 *  3. A change and its audit row (old and new value: settings, not patient
 *     data) are one statement; setting a key to the value it has writes
 *     nothing.
 *  4. OIDs under 2.999 (ITU-T X.660's "example" arc, where the project's
 *     placeholder urn:oid:2.999.1 lives) are refused: they name no site.
 */
#include "pipeline/pipeline_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "common/common.h"

/* 0 when value fits key; CS_CONFIG_USAGE with the reason; -1 when the database failed. */
typedef int (*value_check)(cs_store *s, const char *key, const char *value, char *err,
                           size_t errlen);

typedef struct config_key {
    const char *name;          /* "hl7.txa2." ends in a document type */
    const char *fallback;      /* what the exports use while it is not set */
    value_check check;
} config_key;

/* ---- checks of values ---- */

int cs_oid_valid(const char *oid)
{
    const char *p = oid;
    int arcs = 0;

    if (!oid || strlen(oid) > 64 || !(*p >= '0' && *p <= '2'))
        return 0;
    while (*p) {
        const char *start = p;
        if (!isdigit((unsigned char)*p))
            return 0;
        while (isdigit((unsigned char)*p))
            p++;
        if (*start == '0' && p - start > 1)   /* no leading zeros */
            return 0;
        if (arcs == 1 && oid[0] != '2' && (p - start > 2 || atoi(start) >= 40))
            return 0;                          /* under 0 and 1: 0..39 */
        arcs++;
        if (*p == '.' && p[1])
            p++;
        else if (*p)
            return 0;
    }
    return arcs >= 2;
}

int cs_oid_is_example(const char *oid)
{
    return !strcmp(oid, "2.999") || !strncmp(oid, "2.999.", 6);
}

/* No control character (nor DEL); for HL7, none of | ^ ~ \ & either, unless allowed. */
static int plain_text(const char *v, const char *allowed_delimiters, int hl7)
{
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p < 0x20 || *p == 0x7f)
            return 0;
        if (hl7 && strchr("|^~\\&", *p) && !strchr(allowed_delimiters, *p))
            return 0;
    }
    return 1;
}

/* Well-formed UTF-8 throughout. */
static int utf8_valid(const char *v)
{
    const unsigned char *p = (const unsigned char *)v;
    while (*p) {
        size_t n = cs_utf8_char_len(p);
        if (!n)
            return 0;
        p += n;
    }
    return 1;
}

/* A value that does not fit its key: CS_CONFIG_USAGE (a usage error), the reason in err. */
static int bad(char *err, size_t errlen, const char *key, const char *why)
{
    cs_fail(err, errlen, "invalid value for %s: %s", key, why);
    return CS_CONFIG_USAGE;
}

static int check_oid(cs_store *s, const char *key, const char *v, char *err, size_t errlen)
{
    (void)s;
    if (!cs_oid_valid(v))
        return bad(err, errlen, key, "not an OID (numbers separated by dots, starting with "
                   "0, 1 or 2, like 2.16.840.1.113883.3.42; at most 64 characters)");
    if (cs_oid_is_example(v))
        return bad(err, errlen, key, "2.999 is the example arc (the project's placeholder "
                   "2.999.1): give the OID your organisation registered");
    return 0;
}

/* HD (MSH-3..6): NAMESPACE, or NAMESPACE^UNIVERSAL_ID^TYPE (an OID with ISO). */
static int check_hd(cs_store *s, const char *key, const char *v, char *err, size_t errlen)
{
    static const char *const types[] = {"ISO", "DNS", "URI", "UUID", "GUID", "HCD", "HL7",
                                        "L", "M", "N", "Random", "x400", "x500"};
    const char *c1 = strchr(v, '^'), *c2 = c1 ? strchr(c1 + 1, '^') : NULL;
    char id[128], type[16];
    int known = 0;

    (void)s;
    if (strlen(v) > 227 || !plain_text(v, "^", 1) || !utf8_valid(v))
        return bad(err, errlen, key, "an HD: NAMESPACE or NAMESPACE^UNIVERSAL_ID^TYPE, at most "
                   "227 characters, no | ~ \\ & nor control characters");
    if (!c1)
        return 0;
    if (!c2 || strchr(c2 + 1, '^') || (size_t)(c2 - c1 - 1) >= sizeof id ||
        strlen(c2 + 1) >= sizeof type || c2 == c1 + 1 || !c2[1])
        return bad(err, errlen, key, "with components, give all three: "
                   "NAMESPACE^UNIVERSAL_ID^TYPE (e.g. GENHOSP^2.16.840.1.113883.3.42^ISO)");
    snprintf(id, sizeof id, "%.*s", (int)(c2 - c1 - 1), c1 + 1);
    snprintf(type, sizeof type, "%s", c2 + 1);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++)
        known |= !strcmp(types[i], type);
    if (!known)
        return bad(err, errlen, key, "the universal ID type (HL7 table 0301) is ISO, DNS, URI, "
                   "UUID, GUID, HCD, HL7, L, M, N, Random, x400 or x500");
    if (!strcmp(type, "ISO"))
        return check_oid(s, key, id, err, errlen);
    return 0;
}

/* IS: a code, no delimiter, no space. */
static int check_code(cs_store *s, const char *key, const char *v, char *err, size_t errlen)
{
    (void)s;
    if (strlen(v) > 30)
        return bad(err, errlen, key, "a code of at most 30 characters");
    for (const char *p = v; *p; p++)
        if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
            return bad(err, errlen, key, "a code of letters, digits, _ . and - only");
    return 0;
}

/* hl7.txa2.<doctype>: the type must be in the taxonomy. */
static int check_txa2(cs_store *s, const char *key, const char *v, char *err, size_t errlen)
{
    const char *p[1] = {key + strlen("hl7.txa2.")};
    PGresult *r = cs_pq(s, "SELECT count(*) FROM chartscan.doctype WHERE code = $1", 1, p, err,
                        errlen);
    long long n;

    if (!r)
        return -1;
    n = cs_pq_int(r, 0, 0);
    PQclear(r);
    if (n == 0)
        return bad(err, errlen, key, "no such document type (see \"chartscan config list\")");
    return check_code(s, key, v, err, errlen);
}

/* XCN (TXA-9): ID^FAMILY^GIVEN..., components only. */
static int check_xcn(cs_store *s, const char *key, const char *v, char *err, size_t errlen)
{
    int comps = 1;

    (void)s;
    for (const char *p = v; *p; p++)
        comps += *p == '^';
    if (strlen(v) > 250 || comps > 23 || !plain_text(v, "^", 1) || !utf8_valid(v) ||
        (v[0] == '^' && (v[1] == '^' || !v[1])))
        return bad(err, errlen, key, "an XCN: ID^FAMILY^GIVEN (e.g. HIM01^Records^Scanning), at "
                   "most 250 characters, an ID or a family name, no | ~ \\ & nor control "
                   "characters");
    return 0;
}

/* An absolute URI: scheme ":" rest, printable ASCII, no space; urn:oid: a real OID. */
static int check_uri(cs_store *s, const char *key, const char *v, char *err, size_t errlen)
{
    const char *p = v;

    if (strlen(v) > 255 || !isalpha((unsigned char)*p))
        return bad(err, errlen, key, "an absolute URI of at most 255 characters (e.g. "
                   "urn:oid:2.16.840.1.113883.3.42 or https://hospital.example/mrn)");
    while (isalnum((unsigned char)*p) || strchr("+.-", *p))
        p++;
    if (*p != ':' || !p[1])
        return bad(err, errlen, key, "an absolute URI: SCHEME:..., like urn:oid:... or https://...");
    for (const char *q = v; *q; q++)
        if ((unsigned char)*q <= 0x20 || (unsigned char)*q >= 0x7f)
            return bad(err, errlen, key, "a URI holds no space, control or non-ASCII character");
    if (!strncmp(v, "urn:oid:", 8))
        return check_oid(s, key, v + 8, err, errlen);
    if ((!strncmp(v, "http:", 5) || !strncmp(v, "https:", 6)) &&
        (!strstr(v, "://") || !strstr(v, "://")[3] || strstr(v, "://")[3] == '/'))
        return bad(err, errlen, key, "an http(s) URI needs a host: https://HOST/...");
    return 0;
}

/* A FHIR id: [A-Za-z0-9.-]{1,64}; template: "{mrn}" may stand for part of it. */
static int fhir_id(const char *p, size_t len, int template)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++, n++) {
        if (template && !strncmp(p + i, "{mrn}", 5)) {
            i += 4;
            continue;
        }
        if (!isalnum((unsigned char)p[i]) && p[i] != '.' && p[i] != '-')
            return 0;
    }
    return len > 0 && n <= 64;
}

/* TYPE/ID, or an absolute http(s) URL ending in /TYPE/ID. */
static int reference_to(const char *v, const char *type, int template)
{
    size_t tl = strlen(type);
    const char *last = NULL;

    if (!strncmp(v, "http://", 7) || !strncmp(v, "https://", 8)) {
        const char *host = strstr(v, "://") + 3;
        for (const char *p = strchr(host, '/'); p; p = strchr(p + 1, '/'))
            if (!strncmp(p + 1, type, tl) && p[1 + tl] == '/')
                last = p + 1;
        if (!last || last == host || !plain_text(v, "", 0) || strchr(v, ' '))
            return 0;
        v = last;
    }
    if (strncmp(v, type, tl) != 0 || v[tl] != '/')
        return 0;
    return fhir_id(v + tl + 1, strlen(v + tl + 1), template);
}

static int check_organization(cs_store *s, const char *key, const char *v, char *err,
                              size_t errlen)
{
    (void)s;
    if (strlen(v) > 255 || !reference_to(v, "Organization", 0))
        return bad(err, errlen, key, "Organization/ID or https://HOST/.../Organization/ID "
                   "(ID: letters, digits, . and -, at most 64)");
    return 0;
}

static int check_subject(cs_store *s, const char *key, const char *v, char *err, size_t errlen)
{
    const char *m = strstr(v, "{mrn}");

    (void)s;
    /* {mrn} once, in the id (after the last '/'): the export counts on it (fhir.c) */
    if (!m || strstr(m + 1, "{mrn}") || strrchr(v, '/') > m || strlen(v) > 200 ||
        !reference_to(v, "Patient", 1))
        return bad(err, errlen, key, "a template with {mrn} once, for a Patient whose id is "
                   "made from the MRN: Patient/{mrn}, Patient/mrn-{mrn} or "
                   "https://HOST/fhir/Patient/{mrn}");
    return 0;
}

static int check_display(cs_store *s, const char *key, const char *v, char *err, size_t errlen)
{
    (void)s;
    if (strlen(v) > 200 || !plain_text(v, "", 0) || !utf8_valid(v))
        return bad(err, errlen, key, "text of at most 200 bytes, valid UTF-8, no control "
                   "characters");
    return 0;
}

static int check_namespace(cs_store *s, const char *key, const char *v, char *err,
                           size_t errlen)
{
    (void)s;
    if (strlen(v) > 64 || !plain_text(v, "", 1) || !utf8_valid(v))
        return bad(err, errlen, key, "a namespace id of at most 64 characters, no | ^ ~ \\ & "
                   "nor control characters");
    return 0;
}

static const config_key keys[] = {
    {"hl7.msh3.sending_application", "CHARTSCAN", check_hd},
    {"hl7.msh4.sending_facility", "the custodian's name (fhir.custodian.display, else "
                                  "$CHARTSCAN_ORGANIZATION), else empty", check_hd},
    {"hl7.msh5.receiving_application", "empty", check_hd},
    {"hl7.msh6.receiving_facility", "empty", check_hd},
    {"hl7.pid3.namespace", "empty", check_namespace},
    {"hl7.pid3.oid", "from the MRN system (placeholder 2.999.1)", check_oid},
    {"hl7.txa2.", "chartscan's type code", check_txa2},
    {"hl7.txa9.originator", "empty", check_xcn},
    {"fhir.mrn_system", "urn:oid:<hl7.pid3.oid>, else $CHARTSCAN_MRN_SYSTEM, else the "
                        "placeholder urn:oid:2.999.1", check_uri},
    {"fhir.custodian.reference", "none (display only)", check_organization},
    {"fhir.custodian.display", "$CHARTSCAN_ORGANIZATION, else none", check_display},
    {"fhir.subject.reference", "none: the patient by identifier only", check_subject},
};
#define NKEYS (sizeof keys / sizeof keys[0])

static int is_txa2(const config_key *k)
{
    return !strcmp(k->name, "hl7.txa2.");
}

static const config_key *find_key(const char *name)
{
    for (size_t i = 0; i < NKEYS; i++) {
        if (is_txa2(&keys[i]) ? !strncmp(name, keys[i].name, strlen(keys[i].name)) &&
                                    name[strlen(keys[i].name)]
                              : !strcmp(name, keys[i].name))
            return &keys[i];
    }
    return NULL;
}

/* An unknown key: the nearest one and every key, in err; CS_CONFIG_USAGE. */
static int unknown_key(const char *name, char *err, size_t errlen)
{
    cs_buf b = CS_BUF_INIT;
    const char *best = NULL;
    size_t best_d = (size_t)-1;

    for (size_t i = 0; i < NKEYS; i++) {
        const char *key = is_txa2(&keys[i]) ? "hl7.txa2.discharge_summary" : keys[i].name;
        char head[128];
        size_t d = (size_t)cs_word_distance(name, key), dh;
        /* a key cut short ("hl7.msh3") is near the key it begins */
        snprintf(head, sizeof head, "%.*s", (int)strlen(name), key);
        dh = (size_t)cs_word_distance(name, head);
        if (dh + 1 < d)
            d = dh + 1;
        if (d < best_d) {
            best_d = d;
            best = is_txa2(&keys[i]) ? "hl7.txa2.<doctype>" : keys[i].name;
        }
    }
    cs_buf_printf(&b, "unknown key \"%s\"", name);
    if (best && best_d <= strlen(name) / 2 + 2)
        cs_buf_printf(&b, "; did you mean \"%s\"?", best);
    cs_buf_puts(&b, "\nkeys:");
    for (size_t i = 0; i < NKEYS; i++)
        cs_buf_printf(&b, " %s%s", keys[i].name, is_txa2(&keys[i]) ? "<doctype>" : "");
    snprintf(err, errlen, "%s", cs_buf_failed(&b) || !b.data ? "unknown key" : b.data);
    cs_buf_free(&b);
    return CS_CONFIG_USAGE;
}

int cs_config_known_key(const char *key, char *err, size_t errlen)
{
    return find_key(key) ? 0 : unknown_key(key, err, errlen);
}

int cs_config_set(cs_store *s, const char *key, const char *value, FILE *out, char *err,
                  size_t errlen)
{
    const config_key *k = find_key(key);
    char actor[128];
    const char *p[3];
    PGresult *r;
    int rc;

    if (!k)
        return unknown_key(key, err, errlen);
    if (!*value) {
        cs_fail(err, errlen, "invalid value for %s: empty (use \"chartscan config unset %s\" "
                "to go back to the default)", key, key);
        return CS_CONFIG_USAGE;
    }
    rc = k->check(s, key, value, err, errlen);   /* CS_CONFIG_USAGE, or -1: the database */
    if (rc < 0)
        return rc;
    cs_command_actor(actor, sizeof actor, NULL);
    p[0] = key;
    p[1] = value;
    p[2] = actor;
    /* note 3: the change and its audit row, or nothing when the value is the same */
    r = cs_pq(s,
        "WITH old AS (SELECT value FROM chartscan.site_config WHERE key = $1),"
        " up AS (INSERT INTO chartscan.site_config AS c (key, value, updated_by)"
        "        VALUES ($1, $2, $3)"
        "        ON CONFLICT (key) DO UPDATE"
        "          SET value = EXCLUDED.value, updated_at = now(), updated_by = EXCLUDED.updated_by"
        "          WHERE c.value IS DISTINCT FROM EXCLUDED.value"
        "        RETURNING key)"
        " INSERT INTO chartscan.audit (actor, action, object_kind, object_id, before, after)"
        " SELECT $3, 'config_set', 'config', $1,"
        "        (SELECT jsonb_build_object('value', value) FROM old),"
        "        jsonb_build_object('value', $2::text)"
        "   FROM up RETURNING (SELECT value FROM old)", 3, p, err, errlen);
    if (!r)
        return -1;
    if (PQntuples(r) == 0)
        fprintf(out, "%s unchanged\n", key);
    else if (PQgetisnull(r, 0, 0))
        fprintf(out, "%s set\n", key);
    else
        fprintf(out, "%s changed\n", key);
    PQclear(r);
    return 0;
}

int cs_config_unset(cs_store *s, const char *key, FILE *out, char *err, size_t errlen)
{
    char actor[128];
    const char *p[2];
    PGresult *r;

    if (!find_key(key))
        return unknown_key(key, err, errlen);
    cs_command_actor(actor, sizeof actor, NULL);
    p[0] = key;
    p[1] = actor;
    r = cs_pq(s,
        "WITH old AS (DELETE FROM chartscan.site_config WHERE key = $1 RETURNING value)"
        " INSERT INTO chartscan.audit (actor, action, object_kind, object_id, before, after)"
        " SELECT $2, 'config_unset', 'config', $1, jsonb_build_object('value', value), NULL"
        "   FROM old RETURNING id", 2, p, err, errlen);
    if (!r)
        return -1;
    fprintf(out, PQntuples(r) ? "%s unset: the default applies\n" : "%s was not set\n", key);
    PQclear(r);
    return 0;
}

/* One line of the listing: the key, its value or "-", and the default while unset. */
static void list_line(FILE *out, const char *key, const char *value, const char *fallback)
{
    if (value)
        fprintf(out, "%-32s %s\n", key, value);
    else
        fprintf(out, "%-32s -   (not set: %s)\n", key, fallback);
}

int cs_config_list(cs_store *s, FILE *out, char *err, size_t errlen)
{
    PGresult *r = cs_pq(s,
        "SELECT k.key, c.value, k.doctype FROM"
        " (SELECT key, NULL AS doctype, ord FROM unnest($1::text[]) WITH ORDINALITY AS u(key, ord)"
        "  UNION ALL"
        "  SELECT 'hl7.txa2.' || code, code, $2::int FROM chartscan.doctype) k"
        " LEFT JOIN chartscan.site_config c ON c.key = k.key"
        " ORDER BY k.ord, k.key", 2,
        (const char *[]){"{hl7.msh3.sending_application,hl7.msh4.sending_facility,"
                         "hl7.msh5.receiving_application,hl7.msh6.receiving_facility,"
                         "hl7.pid3.namespace,hl7.pid3.oid,hl7.txa9.originator,fhir.mrn_system,"
                         "fhir.custodian.reference,fhir.custodian.display,"
                         "fhir.subject.reference}", "7"},
        err, errlen);
    int placeholder = 1;

    if (!r)
        return -1;
    for (int i = 0; i < PQntuples(r); i++) {
        const char *key = PQgetvalue(r, i, 0);
        const char *value = PQgetisnull(r, i, 1) ? NULL : PQgetvalue(r, i, 1);
        const config_key *k = find_key(key);
        char fallback[160];

        if (value && (!strcmp(key, "hl7.pid3.oid") || !strcmp(key, "fhir.mrn_system")))
            placeholder = 0;
        if (k && is_txa2(k))
            snprintf(fallback, sizeof fallback, "%s", PQgetvalue(r, i, 2));
        else
            snprintf(fallback, sizeof fallback, "%s", k ? k->fallback : "");
        list_line(out, key, value, fallback);
    }
    PQclear(r);
    if (placeholder && (!getenv("CHARTSCAN_MRN_SYSTEM") ||
                        (!strncmp(getenv("CHARTSCAN_MRN_SYSTEM"), "urn:oid:", 8) &&
                         cs_oid_is_example(getenv("CHARTSCAN_MRN_SYSTEM") + 8))))
        fprintf(out, "\nthe MRNs' assigning authority is still the placeholder 2.999.1: the HL7 "
                     "and FHIR exports refuse to run until hl7.pid3.oid or fhir.mrn_system is "
                     "set\n");
    return 0;
}
