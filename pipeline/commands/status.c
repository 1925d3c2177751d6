/*
 * status.c — `chartscan status`: per batch, pages done / blank / failed /
 * left, documents filed / review, the rate over the last five minutes and
 * an estimate of the time left; then the queue's totals.
 */
#include "pipeline/pipeline_internal.h"

#include <string.h>

#include "common/common.h"

static void format_eta(char *out, size_t outlen, double seconds)
{
    if (seconds < 0)
        snprintf(out, outlen, "-");
    else if (seconds < 90)
        snprintf(out, outlen, "%.0fs", seconds);
    else if (seconds < 5400)
        snprintf(out, outlen, "%.0fm", seconds / 60);
    else
        snprintf(out, outlen, "%.1fh", seconds / 3600);
}

int cs_status(cs_store *s, int bars, FILE *out, char *err, size_t errlen)
{
    PGresult *r = cs_pq(s,
        "SELECT b.id, b.name, b.status,"
        "       (SELECT count(*) FROM source_file f WHERE f.batch_id = b.id),"
        "       count(p.id),"
        "       count(p.id) FILTER (WHERE p.status = 'done'),"
        "       count(p.id) FILTER (WHERE p.status = 'blank'),"
        "       count(p.id) FILTER (WHERE p.status = 'failed'),"
        "       count(p.id) FILTER (WHERE p.status = 'pending'),"
        "       (SELECT count(*) FROM document d WHERE d.batch_id = b.id AND d.status = 'filed'),"
        "       (SELECT count(*) FROM document d WHERE d.batch_id = b.id AND d.status = 'review'),"
        /* pages a minute over the last five minutes of activity */
        "       60.0 * count(p.id) FILTER (WHERE p.finished_at > now() - interval '5 minutes')"
        "       / greatest(1.0, extract(epoch FROM"
        "           max(p.finished_at) FILTER (WHERE p.finished_at > now() - interval '5 minutes')"
        "         - min(p.finished_at) FILTER (WHERE p.finished_at > now() - interval '5 minutes'))),"
        "       (SELECT count(*) FROM source_file f WHERE f.batch_id = b.id"
        "                                             AND f.status <> 'pages'),"
        "       b.error"
        "  FROM batch b"
        "  LEFT JOIN source_file f ON f.batch_id = b.id"
        "  LEFT JOIN page p ON p.file_id = f.id"
        " GROUP BY b.id ORDER BY b.id", 0, NULL, err, errlen);
    int rows;

    if (!r)
        return -1;
    rows = PQntuples(r);
    if (rows == 0) {
        fprintf(out, "no batches yet: submit an archive with \"chartscan submit ARCHIVE\"\n");
        PQclear(r);
        return 0;
    }
    fprintf(out, "%-6s %-24s %-9s %6s %7s %7s %6s %6s %7s %6s %6s %9s %6s\n", "batch", "name",
            "state", "files", "pages", "done", "blank", "failed", "left", "filed", "review",
            "pages/min", "eta");
    for (int i = 0; i < rows; i++) {
        const char *state = PQgetvalue(r, i, 2);
        long left = (long)cs_pq_int(r, i, 8);
        double rate = 0;
        char eta[32];

        sscanf(PQgetvalue(r, i, 11), "%lf", &rate);
        if (!strcmp(state, "unpacked"))
            state = left ? "working" : "done";
        else if (!strcmp(state, "queued"))
            state = "queued";
        format_eta(eta, sizeof eta, left == 0 ? 0 : rate > 0 ? left / rate * 60.0 : -1);
        fprintf(out, "%-6s %-24.24s %-9s %6s %7s %7s %6s %6s %7ld %6s %6s %9.1f %6s\n",
                PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), state, PQgetvalue(r, i, 3),
                PQgetvalue(r, i, 4), PQgetvalue(r, i, 5), PQgetvalue(r, i, 6),
                PQgetvalue(r, i, 7), left, PQgetvalue(r, i, 9), PQgetvalue(r, i, 10), rate,
                eta);
        if (bars) {
            long total = (long)cs_pq_int(r, i, 4), finished = total - left;
            int width = 40, fill = total ? (int)(width * finished / total) : 0;
            fprintf(out, "       [");
            for (int k = 0; k < width; k++)
                fputs(k < fill ? "#" : "-", out);
            fprintf(out, "] %3.0f%%\n", total ? 100.0 * finished / total : 0.0);
        }
        if (!PQgetisnull(r, i, 13))
            fprintf(out, "       ! %s\n", PQgetvalue(r, i, 13));
        if (cs_pq_int(r, i, 12) > 0)
            fprintf(out, "       %s archive entries skipped or failed (see \"chartscan export "
                    "manifest --batch %s\")\n", PQgetvalue(r, i, 12), PQgetvalue(r, i, 0));
    }
    PQclear(r);

    r = cs_pq(s, "SELECT count(*) FILTER (WHERE status = 'queued'),"
                 "       count(*) FILTER (WHERE status = 'running'),"
                 "       count(*) FILTER (WHERE status = 'failed')"
                 "  FROM job WHERE status <> 'done'", 0, NULL, err, errlen);
    if (!r)
        return -1;
    fprintf(out, "jobs: %s queued, %s running, %s failed\n", PQgetvalue(r, 0, 0),
            PQgetvalue(r, 0, 1), PQgetvalue(r, 0, 2));
    PQclear(r);
    return cs_export_rejections(s, out, err, errlen);
}
