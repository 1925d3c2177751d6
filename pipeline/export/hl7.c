/*
 * hl7.c — `chartscan export hl7`: the current filed documents as HL7
 * v2.5 MDM^T02 messages ("original document notification and content"),
 * MDM^T10 for a corrected version that replaces an earlier one, MDM^T11
 * (MDM_T01, no OBX, TXA-19 CA) for a version an admin cancelled as entered
 * in error, written to an HL7 batch file or sent over MLLP.
 *
 * Interface routines: cs_export_hl7; internal: cs_hl7_escape (fuzzed by
 * tests/fuzz/fuzz_hl7.c).
 *
 * One message per document, segments ending in CR:
 *   MSH  |^~\&|<MSH-3>|<MSH-4>|<MSH-5>|<MSH-6>|<now>||MDM^T02^MDM_T02|<control id>|P|2.5
 *        ||||||UNICODE UTF-8; MSH-3..6 the site's settings (hl7.msh3.* .. hl7.msh6.*,
 *        pipeline/commands/config.c; by default CHARTSCAN, the organisation, empty, empty)
 *   EVN  T02 (T10, T11), recorded when the document was filed
 *   PID  PID-3 the MRN: <mrn>^^^<namespace>&<id>&ISO|URI^MR (PID-3.4 from hl7.pid3.*,
 *        else the MRN system); PID-5 the name; PID-7 birth date; PID-8 sex
 *   PV1  patient class U (unknown: a scanned chart carries no visit)
 *   TXA  TXA-2 the site's code for the type (hl7.txa2.<type>), else chartscan's
 *        type code; TXA-3 AP (PDF) or TX (text); TXA-4 the date of service;
 *        TXA-7 when filed; TXA-9 the originator (hl7.txa9.originator, when
 *        set); TXA-12 the document's uuid^CHARTSCAN
 *        (the unique document number, fixed for the version); TXA-13 the
 *        replaced version's number (T10); TXA-17 AU (authenticated: filed
 *        documents are final); TXA-19 AV (available)
 *   OBX  OBX-3 the LOINC code^display^LN (chartscan's code^display^L without
 *        one); the PDF as ED: ^AP^PDF^Base64^<data>; or, without PDFs, the
 *        OCR text as TX, one OBX a line
 * Data is escaped for the delimiters (\F\ \S\ \T\ \R\ \E\, and \X0D\ \X0A\
 * for line ends); base64 needs no escaping.
 *
 * Files: o->out_dir/MDM.hl7 (0600, the folder 0700 when made here, never
 * through a symbolic link), an HL7 batch file (FHS, BHS, the messages, BTS
 * with the count, FTS), the form interface engines' file readers take.  Over
 * MLLP (o->mllp), each message waits for its ACK: AA is recorded as
 * accepted, AE/AR as rejected (sent again on every later export until
 * accepted; MSA-3 and the ERR segments' text printed and kept with the
 * destination's item), and a lost connection or a timeout stops the export
 * with what was acknowledged recorded.
 */
#include "pipeline/export/export_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

void cs_hl7_escape(cs_buf *b, const char *s)
{
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        switch (c) {
        case '|':  cs_buf_puts(b, "\\F\\"); break;
        case '^':  cs_buf_puts(b, "\\S\\"); break;
        case '&':  cs_buf_puts(b, "\\T\\"); break;
        case '~':  cs_buf_puts(b, "\\R\\"); break;
        case '\\': cs_buf_puts(b, "\\E\\"); break;
        default:
            if (c < 0x20 || c == 0x7f)
                cs_buf_printf(b, "\\X%02X\\", c);
            else
                cs_buf_append(b, s, 1);
        }
    }
}

/* "2024-01-02T03:04:05.123Z" -> "20240102030405+0000"; "2024-01-02" -> "20240102". */
static void hl7_time(char *out, size_t outlen, const char *iso)
{
    size_t k = 0;
    for (const char *p = iso; *p && *p != '.' && *p != 'Z' && k + 1 < outlen; p++)
        if (*p >= '0' && *p <= '9')
            out[k++] = *p;
    out[k] = '\0';
    if (k == 14 && outlen > 20)
        strcat(out, "+0000");
}

static const char *col(const PGresult *r, int i, int c)
{
    return PQgetisnull(r, i, c) ? "" : PQgetvalue(r, i, c);
}

/* A setting whose components are separated by ^ (HD, XCN): each escaped. */
static void put_components(cs_buf *b, const char *value)
{
    const char *p = value;
    for (;;) {
        size_t n = strcspn(p, "^");
        char part[256];
        snprintf(part, sizeof part, "%.*s", (int)(n < sizeof part ? n : sizeof part - 1), p);
        cs_hl7_escape(b, part);
        if (!p[n])
            break;
        cs_buf_puts(b, "^");
        p += n + 1;
    }
}

/* MSH-3..6 (or FHS/BHS-3..6): sending application, facility, receiving application, facility. */
static void put_applications(cs_buf *b, const cs_export_run *run)
{
    for (int k = 0; k < 4; k++) {
        if (k)
            cs_buf_puts(b, "|");
        if (k == 1 && run->msh4_is_text)
            cs_hl7_escape(b, run->msh[k]);
        else
            put_components(b, run->msh[k]);
    }
}

/* PID-3.4, the MRN's assigning authority (HD as subcomponents): namespace&id&ISO|URI. */
static void assigning_authority(cs_buf *b, const cs_export_run *run)
{
    cs_hl7_escape(b, run->aa_namespace);
    cs_buf_puts(b, "&");
    cs_hl7_escape(b, run->aa_id);
    cs_buf_printf(b, "&%s", run->aa_type);
}

/* Build one message into m; the control id is written into ctrl. */
static void build_message(cs_buf *m, const cs_export_run *run, const PGresult *r, int i,
                          const char *now, const char *run_tag, int text_mode, char *ctrl,
                          size_t ctrllen)
{
    int t11 = !strcmp(PQgetvalue(r, i, X_VSTATUS), "entered-in-error");
    int t10 = !t11 && !PQgetisnull(r, i, X_REPLACES_UUID);
    const char *event = t11 ? "T11" : t10 ? "T10" : "T02";
    char filed[32], dos[16];

    hl7_time(filed, sizeof filed, col(r, i, X_FILED_AT));
    hl7_time(dos, sizeof dos, col(r, i, X_DOS));
    snprintf(ctrl, ctrllen, "%s-%s", PQgetvalue(r, i, X_ID), run_tag);

    cs_buf_puts(m, "MSH|^~\\&|");
    put_applications(m, run);
    cs_buf_printf(m, "|%s||MDM^%s^%s|%s|P|2.5||||||UNICODE UTF-8\r", now, event,
                  t11 ? "MDM_T01" : "MDM_T02", ctrl);
    cs_buf_printf(m, "EVN|%s|%s\r", event, filed);

    cs_buf_puts(m, "PID|1||");
    if (*col(r, i, X_MRN)) {
        cs_hl7_escape(m, col(r, i, X_MRN));
        cs_buf_puts(m, "^^^");
        assigning_authority(m, run);
        cs_buf_puts(m, "^MR");
    }
    cs_buf_puts(m, "||");
    cs_hl7_escape(m, col(r, i, X_LAST));
    cs_buf_puts(m, "^");
    cs_hl7_escape(m, col(r, i, X_FIRST));
    if (*col(r, i, X_MIDDLE)) {
        cs_buf_puts(m, "^");
        cs_hl7_escape(m, col(r, i, X_MIDDLE));
    }
    cs_buf_printf(m, "||%s|", col(r, i, X_BIRTH));
    {
        char sex = (char)(*col(r, i, X_SEX) & ~0x20);   /* upper case */
        if (*col(r, i, X_SEX))
            cs_buf_printf(m, "%c", strchr("FMOUAN", sex) && sex ? sex : 'U');
    }
    cs_buf_puts(m, "\rPV1|1|U\r");

    /* TXA-1 .. TXA-19; TXA-2 the site's code for the type when set (table 0270 or its own) */
    cs_buf_puts(m, "TXA|1|");
    cs_hl7_escape(m, *col(r, i, X_TXA2) ? col(r, i, X_TXA2) : col(r, i, X_TYPE));
    cs_buf_printf(m, "|%s|%s|||%s||", text_mode ? "TX" : "AP", dos, filed);
    put_components(m, run->txa9);
    cs_buf_printf(m, "|||%s^CHARTSCAN|", PQgetvalue(r, i, X_UUID));
    if (t10)
        cs_buf_printf(m, "%s^CHARTSCAN", PQgetvalue(r, i, X_REPLACES_UUID));
    cs_buf_printf(m, "||||AU||%s\r", t11 ? "CA" : "AV");
}

/* OBX-3: the LOINC code, or chartscan's own code. */
static void observation_id(cs_buf *m, const PGresult *r, int i)
{
    const char *display = *col(r, i, X_DISPLAY) ? col(r, i, X_DISPLAY) : col(r, i, X_TYPE);
    if (*col(r, i, X_LOINC)) {
        cs_hl7_escape(m, col(r, i, X_LOINC));
        cs_buf_puts(m, "^");
        cs_hl7_escape(m, display);
        cs_buf_puts(m, "^LN");
    } else {
        cs_hl7_escape(m, col(r, i, X_TYPE));
        cs_buf_puts(m, "^");
        cs_hl7_escape(m, display);
        cs_buf_puts(m, "^L");
    }
}

static void add_obx_pdf(cs_buf *m, const PGresult *r, int i)
{
    char dos[16];
    hl7_time(dos, sizeof dos, col(r, i, X_DOS));
    cs_buf_puts(m, "OBX|1|ED|");
    observation_id(m, r, i);
    cs_buf_puts(m, "||^AP^PDF^Base64^");
    if (!PQgetisnull(r, i, X_PDF))
        cs_base64_append(m, (const unsigned char *)PQgetvalue(r, i, X_PDF),
                         (size_t)PQgetlength(r, i, X_PDF));
    cs_buf_printf(m, "||||||F|||%s\r", dos);
}

/* The text, one OBX a line; -1 when memory ran out (a line would be missing). */
static int add_obx_text(cs_buf *m, const PGresult *r, int i)
{
    const char *text = col(r, i, X_TEXT);
    int n = 0;
    char dos[16];
    hl7_time(dos, sizeof dos, col(r, i, X_DOS));
    do {
        size_t len = strcspn(text, "\n\f");
        char *line = strndup(text, len);
        if (!line)
            return -1;
        cs_buf_printf(m, "OBX|%d|TX|", ++n);
        observation_id(m, r, i);
        cs_buf_puts(m, "||");
        {
            size_t l = strlen(line);
            while (l && line[l - 1] == '\r')   /* CRLF text: the line end is not data */
                line[--l] = '\0';
            cs_hl7_escape(m, line);
        }
        cs_buf_printf(m, "||||||F|||%s\r", dos);
        free(line);
        text += len;
        if (*text)
            text++;
    } while (*text);
    return 0;
}

/* ---- sinks: where the messages go ---- */

/*
 * A sink takes the run's messages: an HL7 batch file (file_sink) or an
 * MLLP receiver (mllp_sink).  Call sequence, from cs_export_hl7:
 *   open     after the run began: name run->target, create the file or connect
 *   send     per message: deliver it and record it with cs_export_run_record
 *   finish   after the last message, before the run commits
 *   done     after the commit: report to log (may be NULL), give the outcome
 *   close    always, last: release what is left (an unfinished file is removed)
 */
typedef struct hl7_sink hl7_sink;
typedef struct hl7_sink_ops {
    int (*open)(hl7_sink *k, cs_export_run *run, const char *now, const char *run_tag,
                char *err, size_t errlen);
    /* 0 delivered and recorded; 1 the sink stopped (the message is in doubt, not
     * recorded, sent again next time); -1 with err */
    int (*send)(hl7_sink *k, cs_export_run *run, const PGresult *r, int row, const cs_buf *msg,
                const char *ctrl, char *err, size_t errlen);
    int (*finish)(hl7_sink *k, char *err, size_t errlen);
    int (*done)(hl7_sink *k, const cs_export_run *run, FILE *log, double secs, char *err,
                size_t errlen);
    void (*close)(hl7_sink *k);
} hl7_sink_ops;

struct hl7_sink {
    const hl7_sink_ops *ops;
};

/* An HL7 batch file, o->out_dir/MDM.hl7, written through a private temporary file. */
typedef struct file_sink {
    hl7_sink base;
    char dir[1024], path[1100], part[1120];
    FILE *fp;
    long written;
    int placed;          /* renamed into place; removed by close unless done */
} file_sink;

static int file_open(hl7_sink *k, cs_export_run *run, const char *now, const char *run_tag,
                     char *err, size_t errlen)
{
    file_sink *f = (file_sink *)k;
    cs_buf head = CS_BUF_INIT;
    int rc = 0;

    snprintf(run->target, sizeof run->target, "%s", f->dir);
    /* 0600 whatever the umask, never through a link (common/util.c) */
    f->fp = cs_file_open_private(f->path, f->part, sizeof f->part, err, errlen);
    if (!f->fp)
        return -1;
    cs_buf_puts(&head, "FHS|^~\\&|");
    put_applications(&head, run);
    cs_buf_printf(&head, "|%s||MDM.hl7||F%s\rBHS|^~\\&|", now, run_tag);
    put_applications(&head, run);
    cs_buf_printf(&head, "|%s||||B%s\r", now, run_tag);
    if (cs_buf_failed(&head))
        rc = cs_fail(err, errlen, "out of memory");
    else
        fwrite(head.data, 1, head.len, f->fp);
    cs_buf_free(&head);
    return rc;
}

static int file_send(hl7_sink *k, cs_export_run *run, const PGresult *r, int row,
                     const cs_buf *msg, const char *ctrl, char *err, size_t errlen)
{
    file_sink *f = (file_sink *)k;

    (void)ctrl;
    if (fwrite(msg->data, 1, msg->len, f->fp) != msg->len)
        return cs_fail(err, errlen, "could not write \"%s\": %s", f->part, strerror(errno));
    f->written++;
    return cs_export_run_record(run, r, row, "sent", NULL, NULL, NULL, err, errlen);
}

/* The batch trailer; then the file takes its name, or goes when it holds no message. */
static int file_finish(hl7_sink *k, char *err, size_t errlen)
{
    file_sink *f = (file_sink *)k;
    int ok;

    fprintf(f->fp, "BTS|%ld\rFTS|1\r", f->written);
    ok = fflush(f->fp) == 0 && !ferror(f->fp);
    ok = fclose(f->fp) == 0 && ok;
    f->fp = NULL;
    if (!ok) {
        cs_fail(err, errlen, "could not write \"%s\": %s", f->part, strerror(errno));
        remove(f->part);
        return -1;
    }
    if (f->written == 0) {
        remove(f->part);
        remove(f->path);
        return 0;
    }
    if (cs_file_commit_private(f->part, f->path, err, errlen) < 0)
        return -1;
    f->placed = 1;
    return 0;
}

static int file_done(hl7_sink *k, const cs_export_run *run, FILE *log, double secs, char *err,
                     size_t errlen)
{
    file_sink *f = (file_sink *)k;

    (void)err;
    (void)errlen;
    f->placed = 0;   /* the run is recorded: the file stays */
    if (!log)
        return 0;
    if (f->written == 0)
        fprintf(log, "nothing to export%s%s%s\n", run->destination[0] ? " to \"" : "",
                run->destination, run->destination[0] ? "\"" : "");
    else
        fprintf(log, "exported %ld message%s to %s in %.1fs\n", f->written,
                f->written == 1 ? "" : "s", f->path, secs);
    return 0;
}

static void file_close(hl7_sink *k)
{
    file_sink *f = (file_sink *)k;

    if (f->fp) {
        fclose(f->fp);
        remove(f->part);
        f->fp = NULL;
    }
    /* in place, but the database did not record the run: nothing is left */
    if (f->placed)
        remove(f->path);
    f->placed = 0;
}

static const hl7_sink_ops file_ops = {file_open, file_send, file_finish, file_done, file_close};

static void file_sink_init(file_sink *f)
{
    memset(f, 0, sizeof *f);
    f->base.ops = &file_ops;
}

/* The folder (made when missing) and the file's name; nothing is written yet. */
static int file_sink_folder(file_sink *f, const char *out_dir, char *err, size_t errlen)
{
    if (cs_export_make_dir(out_dir, "hl7", f->dir, sizeof f->dir, err, errlen) < 0)
        return -1;
    snprintf(f->path, sizeof f->path, "%s/MDM.hl7", f->dir);
    return 0;
}

/* An MLLP receiver: each message waits for its ACK. */
typedef struct mllp_sink {
    hl7_sink base;
    const char *hostport;
    int timeout_ms;
    FILE *log;
    cs_mllp *mllp;
    long accepted;
    char stop[CS_ERRLEN];        /* why the connection stopped, or "" */
} mllp_sink;

static int mllp_open(hl7_sink *k, cs_export_run *run, const char *now, const char *run_tag,
                     char *err, size_t errlen)
{
    mllp_sink *m = (mllp_sink *)k;

    (void)now;
    (void)run_tag;
    snprintf(run->target, sizeof run->target, "mllp://%s", m->hostport);
    return cs_mllp_open(&m->mllp, m->hostport, m->timeout_ms, err, errlen);
}

/*
 * AA is recorded as accepted; AE/AR as rejected (sent again next time).  The
 * engine's words (MSA-3, its ERR segments) go to the user and into the
 * destination's item; never to the log: they may name the patient.
 */
static int mllp_send(hl7_sink *k, cs_export_run *run, const PGresult *r, int row,
                     const cs_buf *msg, const char *ctrl, char *err, size_t errlen)
{
    mllp_sink *m = (mllp_sink *)k;
    char code[3], text[512], errors[1024];
    int accepted;

    if (cs_mllp_send(m->mllp, msg->data, msg->len, ctrl, code, text, sizeof text, errors,
                     sizeof errors, m->stop, sizeof m->stop) < 0)
        return 1;   /* in doubt: not recorded, sent again next time */
    accepted = code[1] == 'A';
    if (m->log && (!accepted || *text || *errors)) {
        if (accepted)
            fprintf(m->log, "document d-%s accepted by %s (%s) with a remark",
                    PQgetvalue(r, row, X_ID), m->hostport, code);
        else
            fprintf(m->log, "document d-%s rejected by %s (%s)", PQgetvalue(r, row, X_ID),
                    m->hostport, code);
        if (*text)
            fprintf(m->log, ": %s", text);
        if (*errors)
            fprintf(m->log, "%s ERR: %s", *text ? ";" : ":", errors);
        fprintf(m->log, accepted ? "\n" : "; it is sent again on the next export\n");
    }
    if (accepted)
        m->accepted++;
    return cs_export_run_record(run, r, row, accepted ? "accepted" : "rejected", code, text,
                                errors, err, errlen);
}

static int mllp_finish(hl7_sink *k, char *err, size_t errlen)
{
    (void)k;
    (void)err;
    (void)errlen;
    return 0;
}

/* What was acknowledged is committed by now: a stop or a rejection fails the export. */
static int mllp_done(hl7_sink *k, const cs_export_run *run, FILE *log, double secs, char *err,
                     size_t errlen)
{
    mllp_sink *m = (mllp_sink *)k;
    long sent = m->accepted + run->rejected;

    if (log)
        fprintf(log, "sent %ld message%s to %s in %.1fs: %ld accepted, %ld rejected\n", sent,
                sent == 1 ? "" : "s", m->hostport, secs, m->accepted, run->rejected);
    if (m->stop[0])
        return cs_fail(err, errlen, "%s; %ld message%s accepted, the rest is sent on the next "
                       "export", m->stop, m->accepted, m->accepted == 1 ? "" : "s");
    if (run->rejected)
        return cs_fail(err, errlen, "%s rejected %ld message%s (see above); they are sent again "
                       "on the next export", m->hostport, run->rejected,
                       run->rejected == 1 ? "" : "s");
    return 0;
}

static void mllp_close(hl7_sink *k)
{
    cs_mllp_close(&((mllp_sink *)k)->mllp);
}

static const hl7_sink_ops mllp_ops = {mllp_open, mllp_send, mllp_finish, mllp_done, mllp_close};

static void mllp_sink_init(mllp_sink *m, const char *hostport, int timeout_ms, FILE *log)
{
    memset(m, 0, sizeof *m);
    m->base.ops = &mllp_ops;
    m->hostport = hostport;
    m->timeout_ms = timeout_ms;
    m->log = log;
}

/* ---- the export ---- */

/* The run's time stamp (HL7 DTM) and its tag: base-36 seconds, so that
 * control ids differ between runs and stay short. */
static void run_stamp(char now[32], char run_tag[16])
{
    time_t t = time(NULL);
    struct tm tm;
    unsigned long long v = (unsigned long long)t;
    char tmp[16];
    int k = 0;

    gmtime_r(&t, &tm);
    strftime(now, 32, "%Y%m%d%H%M%S+0000", &tm);
    do {
        tmp[k++] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"[v % 36];
        v /= 36;
    } while (v && k < 15);
    for (int j = 0; j < k; j++)
        run_tag[j] = tmp[k - 1 - j];
    run_tag[k] = '\0';
}

/* Compose row i's message into m (reset first); the control id into ctrl.
 * -1 when memory ran out. */
static int compose(cs_buf *m, const cs_export_run *run, const PGresult *r, int i,
                   const char *now, const char *run_tag, int text_mode, char *ctrl,
                   size_t ctrllen)
{
    int text_ok = 1;

    cs_buf_reset(m);
    build_message(m, run, r, i, now, run_tag, text_mode, ctrl, ctrllen);
    if (!strcmp(PQgetvalue(r, i, X_VSTATUS), "entered-in-error")) {
        /* MDM^T11 carries no content */
    } else if (text_mode) {
        text_ok = add_obx_text(m, r, i) == 0;
    } else {
        add_obx_pdf(m, r, i);
    }
    /* the pieces are not checked one by one: the buffer remembers a
     * failed append, and a message that lost one is never sent */
    return !text_ok || cs_buf_failed(m) || !m->data ? -1 : 0;
}

/* Compose and send every document the run fetches: 0; 1 when the sink
 * stopped; -1 with err. */
static int send_all(cs_export_run *run, hl7_sink *sink, const char *now, const char *run_tag,
                    int text_mode, char *err, size_t errlen)
{
    cs_buf msg = CS_BUF_INIT;
    int rc = 0;

    while (rc == 0) {
        PGresult *r = cs_export_run_fetch(run, err, errlen);
        int n;
        if (!r) {
            rc = -1;
            break;
        }
        n = PQntuples(r);
        for (int i = 0; i < n && rc == 0; i++) {
            char ctrl[64];
            if (compose(&msg, run, r, i, now, run_tag, text_mode, ctrl, sizeof ctrl) < 0)
                rc = cs_fail(err, errlen, "out of memory");
            else
                rc = sink->ops->send(sink, run, r, i, &msg, ctrl, err, errlen);
        }
        PQclear(r);
        if (n == 0)
            break;
    }
    cs_buf_free(&msg);
    return rc;
}

int cs_export_hl7(cs_store *s, const cs_export_options *o, FILE *log, char *err,
                  size_t errlen)
{
    cs_export_options opt = *o;
    cs_export_run run;
    file_sink file;
    mllp_sink mllp;
    hl7_sink *sink;
    char now[32], run_tag[16], dest[300];
    int text_mode = o->pdf == CS_EXPORT_PDF_NONE, rc = -1;
    double t0 = cs_now_ms();

    memset(&run, 0, sizeof run);
    run_stamp(now, run_tag);
    if (opt.mllp) {
        if (!opt.destination || !*opt.destination) {
            /* retrying rejected messages needs a memory of them: name one */
            snprintf(dest, sizeof dest, "mllp://%s", opt.mllp);
            opt.destination = dest;
        }
        mllp_sink_init(&mllp, opt.mllp, opt.mllp_timeout_ms, log);
        sink = &mllp.base;
    } else {
        file_sink_init(&file);
        sink = &file.base;
    }
    /* the settings first (an export that refuses makes no folder), then the sink */
    if (cs_export_run_begin(&run, s, "hl7", &opt, !text_mode, text_mode, 1, err, errlen) < 0 ||
        (!opt.mllp && file_sink_folder(&file, opt.out_dir, err, errlen) < 0) ||
        sink->ops->open(sink, &run, now, run_tag, err, errlen) < 0 ||
        send_all(&run, sink, now, run_tag, text_mode, err, errlen) < 0 ||
        sink->ops->finish(sink, err, errlen) < 0 ||
        cs_export_run_finish(&run, err, errlen) < 0 ||
        sink->ops->done(sink, &run, log, (cs_now_ms() - t0) / 1000.0, err, errlen) < 0)
        goto out;
    rc = (int)(run.exported > 0x7fffffff ? 0x7fffffff : run.exported);
out:
    sink->ops->close(sink);
    cs_export_run_end(&run);
    return rc;
}
