/*
 * qa.c — `chartscan qa sample|report|review-all`: the sample audit of
 * automatic filing from the command line (pipeline/review/qa_store.c does
 * the work).  The default sample of every finished batch is drawn lazily
 * here, before a drawing by hand and before a report, and by the
 * station's QA page (016_qa.sql says why).
 */
#include "pipeline/review/qa_store.h"

#include <pwd.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/common.h"

/* Who the audit trail names: $CHARTSCAN_ACTOR, else the OS user (as cs_audit_command). */
static const char *actor(char *buf, size_t len)
{
    const char *a = getenv("CHARTSCAN_ACTOR");
    struct passwd *pw;

    if (a && *a) {
        snprintf(buf, len, "%s", a);
        return buf;
    }
    pw = getpwuid(getuid());
    if (pw && pw->pw_name)
        snprintf(buf, len, "%s", pw->pw_name);
    else
        snprintf(buf, len, "uid %ld", (long)getuid());
    return buf;
}

static int defaults(cs_store *s, FILE *out, char *err, size_t errlen)
{
    long n = cs_qa_sample_defaults(s, err, errlen);

    if (n < 0)
        return (int)n;
    if (n > 0)
        fprintf(out, "default sample drawn for %ld finished batch%s\n", n, n == 1 ? "" : "es");
    return 0;
}

int cs_qa_command_sample(cs_store *s, long long batch_id, double rate, long min_sample,
                         FILE *out, char *err, size_t errlen)
{
    char who[128];
    long n = cs_qa_sample(s, batch_id, rate, min_sample, actor(who, sizeof who), err, errlen);

    if (n < 0)
        return (int)n;
    fprintf(out, "batch %lld: %ld auto-filed document%s sampled for a blind check\n", batch_id, n,
            n == 1 ? "" : "s");
    return defaults(s, out, err, errlen);
}

int cs_qa_command_report(cs_store *s, long long batch_id, FILE *out, char *err, size_t errlen)
{
    if (defaults(s, out, err, errlen) < 0)
        return CS_REVIEW_ERROR;
    return cs_qa_report(s, batch_id, out, err, errlen);
}

int cs_qa_command_review_all(cs_store *s, long long batch_id, FILE *out, char *err,
                             size_t errlen)
{
    char who[128];
    long skipped = 0;
    long n = cs_qa_review_all(s, batch_id, actor(who, sizeof who), &skipped, err, errlen);

    if (n < 0)
        return (int)n;
    fprintf(out, "batch %lld: %ld filed document%s reopened for review (corrections that"
            " replace them once filed); %ld skipped (already reopened, replaced or entered in"
            " error)\n", batch_id, n, n == 1 ? "" : "s", skipped);
    return 0;
}
