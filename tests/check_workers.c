/*
 * check_workers.c — the queue under stress, with the real binary, a real
 * PostgreSQL and the real Tesseract: a worker killed in the middle of a
 * page, the whole pool killed, the database restarted mid-batch, the same
 * archive submitted twice at the same moment, hostile archives, and two
 * worker pools on two "hosts" (separate homes) sharing one server over TCP.
 * After each, every page is accounted for exactly once and no document is
 * duplicated.
 */
#include <archive.h>
#include <archive_entry.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <tiffio.h>
#include <unistd.h>

#include "tests/harness.h"

static th_env env;

/*
 * The batch is complete and consistent: no job left, every page done,
 * blank or failed with a reason; each page OCRed by exactly one finished
 * job; one document per file at most, and no page in two documents.
 */
static void assert_batch_complete(PGconn *c, long long batch)
{
    char q[1024];
    snprintf(q, sizeof q, "SELECT count(*) FROM job WHERE batch_id = %lld AND status <> 'done'", batch);
    ck_assert_int_eq(th_long(c, q), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                          " WHERE f.batch_id = %lld AND NOT (p.status IN ('done', 'blank')"
                          "   OR (p.status = 'failed' AND p.reason IS NOT NULL))", batch);
    ck_assert_int_eq(th_long(c, q), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                          " WHERE f.batch_id = %lld AND (SELECT count(*) FROM job j"
                          "   WHERE j.page_id = p.id AND j.kind = 'ocr') <> 1", batch);
    ck_assert_int_eq(th_long(c, q), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM (SELECT file_id FROM document WHERE batch_id = %lld"
                          " GROUP BY file_id, first_page HAVING count(*) > 1) x", batch);
    ck_assert_int_eq(th_long(c, q), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                          " WHERE f.batch_id = %lld AND p.status = 'done' AND p.document_id IS NULL",
             batch);
    ck_assert_int_eq(th_long(c, q), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM source_file WHERE batch_id = %lld AND status = 'pages'",
             batch);
    ck_assert_int_gt(th_long(c, q), 0);
}

static void stop_pool(pid_t pool)
{
    kill(pool, SIGTERM);
    ck_assert_int_eq(th_wait(pool, 120), 0);
}

/* The pid inside a worker name "host:pid:index". */
static pid_t worker_pid(const char *name)
{
    const char *colon = strchr(name, ':');
    return colon ? (pid_t)atol(colon + 1) : 0;
}

START_TEST(test_worker_killed_mid_page)
{
    char zip[200], q[512], *w;
    PGconn *c = th_connect(&env);
    pid_t pool, victim;
    long long batch;

    th_sample_archive(&env, 21, 4, zip, sizeof zip);
    batch = th_submit(&env, zip);
    pool = th_chartscan_bg(&env, "pool21", "work", "-j", "2", "--lease", "10", (char *)NULL);
    snprintf(q, sizeof q, "SELECT EXISTS (SELECT 1 FROM job WHERE batch_id = %lld AND kind = 'ocr'"
                          " AND status = 'running')", batch);
    th_wait_for(c, q, 120);
    snprintf(q, sizeof q, "SELECT worker || '|' || id FROM job WHERE batch_id = %lld AND kind = 'ocr'"
                          " AND status = 'running' ORDER BY id LIMIT 1", batch);
    w = th_value(c, q);
    ck_assert_ptr_nonnull(w);
    victim = worker_pid(w);
    ck_assert_int_gt(victim, 0);
    ck_assert_int_eq(kill(victim, SIGKILL), 0);
    /* the pool replaces the worker; the job's lease runs out and it is redone */
    snprintf(q, sizeof q, "SELECT NOT EXISTS (SELECT 1 FROM job WHERE batch_id = %lld"
                          " AND status <> 'done')", batch);
    th_wait_for(c, q, 240);
    stop_pool(pool);
    snprintf(q, sizeof q, "SELECT attempts FROM job WHERE id = %s", strchr(w, '|') + 1);
    ck_assert_int_eq(th_long(c, q), 2);
    free(w);
    assert_batch_complete(c, batch);
    PQfinish(c);
}
END_TEST

START_TEST(test_whole_pool_killed)
{
    char zip[200], q[512];
    PGconn *c = th_connect(&env);
    pid_t pool;
    long long batch;
    th_result r;

    th_sample_archive(&env, 22, 4, zip, sizeof zip);
    batch = th_submit(&env, zip);
    pool = th_chartscan_bg(&env, "pool22", "work", "-j", "2", "--lease", "10", (char *)NULL);
    snprintf(q, sizeof q, "SELECT EXISTS (SELECT 1 FROM job WHERE batch_id = %lld AND kind = 'ocr'"
                          " AND status = 'done') AND EXISTS (SELECT 1 FROM job WHERE batch_id = %lld"
                          " AND status = 'running')", batch, batch);
    th_wait_for(c, q, 120);
    th_sh("pkill -KILL -P %d", (int)pool);
    kill(pool, SIGKILL);
    ck_assert_int_eq(th_wait(pool, 30), -1);
    /* a new pool finishes the batch: the dead workers' leases run out */
    r = th_chartscan(&env, "work", "-j", "2", "--until-idle", "--lease", "10", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    assert_batch_complete(c, batch);
    PQfinish(c);
}
END_TEST

START_TEST(test_database_restarted_mid_batch)
{
    char zip[200], q[512];
    PGconn *c = th_connect(&env);
    pid_t pool;
    long long batch;
    th_result r;

    th_sample_archive(&env, 23, 4, zip, sizeof zip);
    batch = th_submit(&env, zip);
    pool = th_chartscan_bg(&env, "pool23", "work", "-j", "2", "--lease", "10", (char *)NULL);
    snprintf(q, sizeof q, "SELECT EXISTS (SELECT 1 FROM job WHERE batch_id = %lld AND kind = 'ocr'"
                          " AND status = 'done')", batch);
    th_wait_for(c, q, 120);
    PQfinish(c);
    r = th_chartscan(&env, "db", "stop", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    sleep(2);
    r = th_chartscan(&env, "db", "start", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    c = th_connect(&env);
    ck_assert_ptr_nonnull(c);
    snprintf(q, sizeof q, "SELECT NOT EXISTS (SELECT 1 FROM job WHERE batch_id = %lld"
                          " AND status <> 'done')", batch);
    th_wait_for(c, q, 240);
    stop_pool(pool);
    assert_batch_complete(c, batch);
    /* the outage cost no attempt that could fail a job */
    snprintf(q, sizeof q, "SELECT count(*) FROM job WHERE batch_id = %lld AND status = 'failed'", batch);
    ck_assert_int_eq(th_long(c, q), 0);
    PQfinish(c);
}
END_TEST

START_TEST(test_sigterm_stops_gracefully)
{
    char zip[200], q[512], *running;
    PGconn *c = th_connect(&env);
    pid_t pool;
    long long batch;
    th_result r;

    th_sample_archive(&env, 28, 3, zip, sizeof zip);
    batch = th_submit(&env, zip);
    pool = th_chartscan_bg(&env, "pool28", "work", "-j", "2", (char *)NULL);
    snprintf(q, sizeof q, "SELECT EXISTS (SELECT 1 FROM job WHERE batch_id = %lld AND kind = 'ocr'"
                          " AND status = 'running')", batch);
    th_wait_for(c, q, 120);
    snprintf(q, sizeof q, "SELECT string_agg(id::text, ',') FROM job WHERE batch_id = %lld"
                          " AND status = 'running'", batch);
    running = th_value(c, q);
    ck_assert_ptr_nonnull(running);
    /* SIGTERM: the jobs being worked on are finished, then the pool exits 0 */
    kill(pool, SIGTERM);
    ck_assert_int_eq(th_wait(pool, 120), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM job WHERE id IN (%s) AND status <> 'done'", running);
    ck_assert_int_eq(th_long(c, q), 0);
    snprintf(q, sizeof q, "SELECT count(*) FROM job WHERE batch_id = %lld AND status = 'running'", batch);
    ck_assert_int_eq(th_long(c, q), 0);
    free(running);
    /* what was left is still queued, and a later run finishes it */
    r = th_chartscan(&env, "work", "-j", "2", "--until-idle", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    assert_batch_complete(c, batch);
    PQfinish(c);
}
END_TEST

/*
 * An unpack interrupted between two committed chunks resumes: the entries
 * already recorded are skipped, the rest are recorded, nothing twice.
 * (The interruption is made exact by undoing the second half of a finished
 * unpack, as a crash after the first chunks would have left it.)
 */
START_TEST(test_unpack_resumes_after_interruption)
{
    char zip[200], q[1024];
    PGconn *c = th_connect(&env);
    long long batch;
    long entries, pages;
    char *kept;
    th_result r;

    /* the unpack is under test: recognition is switched off to keep it quick */
    setenv("CHARTSCAN_OCR", "off", 1);
    th_sample_archive(&env, 29, 40, zip, sizeof zip);
    batch = th_submit(&env, zip);
    r = th_chartscan(&env, "work", "-j", "1", "--until-idle", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    snprintf(q, sizeof q, "SELECT count(*) FROM source_file WHERE batch_id = %lld", batch);
    entries = th_long(c, q);
    ck_assert_int_eq(entries, 41);   /* 40 TIFFs and the README */
    snprintf(q, sizeof q, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                          " WHERE f.batch_id = %lld", batch);
    pages = th_long(c, q);
    snprintf(q, sizeof q, "SELECT string_agg(id::text, ',' ORDER BY entry_index) FROM source_file"
                          " WHERE batch_id = %lld AND entry_index <= 16", batch);
    kept = th_value(c, q);
    ck_assert_ptr_nonnull(kept);
    snprintf(q, sizeof q,
             "DELETE FROM source_file WHERE batch_id = %lld AND entry_index > 16;"
             "UPDATE batch SET status = 'queued', unpacked_at = NULL WHERE id = %lld;"
             "UPDATE job SET status = 'queued', attempts = 0 WHERE batch_id = %lld AND kind = 'unpack'",
             batch, batch, batch);
    PQclear(PQexec(c, q));
    r = th_chartscan(&env, "work", "-j", "2", "--until-idle", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    snprintf(q, sizeof q, "SELECT count(*), count(DISTINCT entry_index), count(DISTINCT path)"
                          "  FROM source_file WHERE batch_id = %lld", batch);
    {
        char *v = th_value(c, q);
        ck_assert_ptr_nonnull(v);
        ck_assert_int_eq(atol(v), entries);
        free(v);
    }
    snprintf(q, sizeof q, "SELECT count(DISTINCT path) FROM source_file WHERE batch_id = %lld", batch);
    ck_assert_int_eq(th_long(c, q), entries);
    /* the entries recorded before the interruption were kept, not recorded again */
    snprintf(q, sizeof q, "SELECT string_agg(id::text, ',' ORDER BY entry_index) FROM source_file"
                          " WHERE batch_id = %lld AND entry_index <= 16", batch);
    TH_ASSERT_VALUE(c, q, kept);
    free(kept);
    snprintf(q, sizeof q, "SELECT count(*) FROM page p JOIN source_file f ON f.id = p.file_id"
                          " WHERE f.batch_id = %lld", batch);
    ck_assert_int_eq(th_long(c, q), pages);
    assert_batch_complete(c, batch);
    PQfinish(c);
}
END_TEST

START_TEST(test_same_archive_twice_at_once)
{
    char zip[200], q[512];
    PGconn *c = th_connect(&env);
    pid_t a, b;
    int sa, sb;

    th_sample_archive(&env, 24, 1, zip, sizeof zip);
    a = th_chartscan_bg(&env, "submit-a", "submit", zip, (char *)NULL);
    b = th_chartscan_bg(&env, "submit-b", "submit", zip, (char *)NULL);
    sa = th_wait(a, 60);
    sb = th_wait(b, 60);
    ck_assert_msg((sa == 0 && sb == 1) || (sa == 1 && sb == 0), "exit statuses %d and %d", sa, sb);
    snprintf(q, sizeof q, "SELECT count(*) FROM batch WHERE name = 'batch-24.zip'");
    ck_assert_int_eq(th_long(c, q), 1);
    {
        char path[200], *msg;
        snprintf(path, sizeof path, "%s/submit-%c.err", env.dir, sa ? 'a' : 'b');
        msg = th_slurp(path, NULL);
        ck_assert_msg(msg && (strstr(msg, "already submitted") || strstr(msg, "same moment")),
                      "%s", msg ? msg : "(no message)");
        free(msg);
    }
    PQfinish(c);
}
END_TEST

/* ---- hostile archives ---- */

static void add_entry(struct archive *a, const char *name, const void *data, size_t len)
{
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, name);
    archive_entry_set_size(e, (la_int64_t)len);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
    if (len)
        ck_assert_int_eq(archive_write_data(a, data, len), (la_ssize_t)len);
    archive_entry_free(e);
}

/* A TIFF whose header claims w x h pixels, with a token strip. */
static char *huge_tiff(const char *path, uint32_t w, uint32_t h, size_t *len)
{
    TIFF *t = TIFFOpen(path, "w8");
    unsigned char strip[16] = {0};
    ck_assert_ptr_nonnull(t);
    TIFFSetField(t, TIFFTAG_IMAGEWIDTH, w);
    TIFFSetField(t, TIFFTAG_IMAGELENGTH, h);
    TIFFSetField(t, TIFFTAG_BITSPERSAMPLE, 1);
    TIFFSetField(t, TIFFTAG_SAMPLESPERPIXEL, 1);
    TIFFSetField(t, TIFFTAG_COMPRESSION, COMPRESSION_NONE);
    TIFFSetField(t, TIFFTAG_PHOTOMETRIC, PHOTOMETRIC_MINISWHITE);
    TIFFSetField(t, TIFFTAG_ROWSPERSTRIP, h);
    TIFFWriteRawStrip(t, 0, strip, sizeof strip);
    TIFFWriteDirectory(t);
    TIFFClose(t);
    return th_slurp(path, len);
}

/* The first TIFF entry of a zip, read into memory. */
static char *first_tiff(const char *zip, size_t *len)
{
    struct archive *a = archive_read_new();
    struct archive_entry *e;
    char *data = NULL;
    archive_read_support_format_all(a);
    ck_assert_int_eq(archive_read_open_filename(a, zip, 65536), ARCHIVE_OK);
    while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
        if (!strstr(archive_entry_pathname(e), ".tif"))
            continue;
        *len = (size_t)archive_entry_size(e);
        data = malloc(*len);
        ck_assert_int_eq(archive_read_data(a, data, *len), (la_ssize_t)*len);
        break;
    }
    archive_read_free(a);
    ck_assert_ptr_nonnull(data);
    return data;
}

START_TEST(test_hostile_archive)
{
    char zip[200], hostile[200], empty[200], tmp[200], q[512];
    PGconn *c = th_connect(&env);
    struct archive *a;
    size_t goodlen = 0, hugelen = 0;
    char *good, *huge, noise[4096], *zeros;
    long long batch;
    struct rusage ru;
    th_result r;

    ck_assert_int_ne(access("/tmp/x.tif", F_OK), 0);
    th_sample_archive(&env, 25, 1, zip, sizeof zip);
    good = first_tiff(zip, &goodlen);
    snprintf(tmp, sizeof tmp, "%s/huge.tif", env.dir);
    huge = huge_tiff(tmp, 200000, 200000, &hugelen);
    ck_assert_ptr_nonnull(huge);
    for (size_t i = 0; i < sizeof noise; i++)
        noise[i] = (char)(rand() & 0xff);

    snprintf(hostile, sizeof hostile, "%s/hostile.zip", env.dir);
    a = archive_write_new();
    archive_write_set_format_zip(a);
    ck_assert_int_eq(archive_write_open_filename(a, hostile), ARCHIVE_OK);
    add_entry(a, "box/good.tif", good, goodlen);
    add_entry(a, "../../x.tif", good, goodlen);
    add_entry(a, "/tmp/x.tif", good, goodlen);
    add_entry(a, "box/huge.tif", huge, hugelen);
    add_entry(a, "box/random.tif", noise, sizeof noise);
    /* a zip bomb: 300 MiB of zeros, a few hundred KiB compressed */
    {
        struct archive_entry *e = archive_entry_new();
        size_t chunk = 1 << 20;
        zeros = calloc(1, chunk);
        archive_entry_set_pathname(e, "box/bomb.tif");
        archive_entry_set_size(e, (la_int64_t)300 * chunk);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        ck_assert_int_eq(archive_write_header(a, e), ARCHIVE_OK);
        memcpy(zeros, "II*\0", 4);
        for (int i = 0; i < 300; i++) {
            ck_assert_int_eq(archive_write_data(a, zeros, chunk), (la_ssize_t)chunk);
            memset(zeros, 0, 4);
        }
        archive_entry_free(e);
        free(zeros);
    }
    ck_assert_int_eq(archive_write_close(a), ARCHIVE_OK);
    archive_write_free(a);
    free(good);
    free(huge);

    /* an empty archive is refused at once */
    snprintf(empty, sizeof empty, "%s/empty.tar", env.dir);
    a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    ck_assert_int_eq(archive_write_open_filename(a, empty), ARCHIVE_OK);
    archive_write_close(a);
    archive_write_free(a);
    r = th_chartscan(&env, "submit", empty, (char *)NULL);
    ck_assert_int_eq(r.status, 1);
    ck_assert_msg(strstr(r.err, "has no entries"), "%s", r.err);
    th_result_free(&r);

    batch = th_submit(&env, hostile);
    r = th_chartscan(&env, "work", "-j", "2", "--until-idle", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);
    /* memory stayed bounded, zip bomb included (ru_maxrss is in KiB) */
    getrusage(RUSAGE_CHILDREN, &ru);
    ck_assert_msg(ru.ru_maxrss < 1024L * 1024, "peak RSS %ld KiB", ru.ru_maxrss);

    snprintf(q, sizeof q, "SELECT string_agg(path || '=' || status || ':' || coalesce(reason, ''),"
                          " E'\\n' ORDER BY entry_index) FROM source_file WHERE batch_id = %lld", batch);
    {
        char *v = th_value(c, q);
        ck_assert_ptr_nonnull(v);
        ck_assert_msg(strstr(v, "box/good.tif=pages:"), "%s", v);
        ck_assert_msg(strstr(v, "../../x.tif=failed:unsafe entry name"), "%s", v);
        ck_assert_msg(strstr(v, "/tmp/x.tif=failed:unsafe entry name"), "%s", v);
        ck_assert_msg(strstr(v, "box/huge.tif=pages:"), "%s", v);   /* its page fails */
        ck_assert_msg(strstr(v, "box/random.tif=skipped:not a TIFF image"), "%s", v);
        ck_assert_msg(strstr(v, "box/bomb.tif=failed:entry is larger than the limit") ||
                      strstr(v, "box/bomb.tif=failed:entry is 314572800 bytes"), "%s", v);
        free(v);
    }
    snprintf(q, sizeof q, "SELECT p.status || ':' || coalesce(p.reason, '') FROM page p"
                          " JOIN source_file f ON f.id = p.file_id"
                          " WHERE f.batch_id = %lld AND f.path = 'box/huge.tif'", batch);
    {
        char *v = th_value(c, q);
        ck_assert_ptr_nonnull(v);
        ck_assert_msg(strstr(v, "failed:page 1 has 200000 x 200000 pixels"), "%s", v);
        free(v);
    }
    assert_batch_complete(c, batch);
    ck_assert_int_ne(access("/tmp/x.tif", F_OK), 0);
    PQfinish(c);
}
END_TEST

/* ---- two hosts, one server over TCP ---- */

static int free_port(void)
{
    for (int port = 20000 + getpid() % 20000, tries = 0; tries < 100; tries++, port++) {
        struct sockaddr_in sa = {0};
        int fd = socket(AF_INET, SOCK_STREAM, 0), ok;
        sa.sin_family = AF_INET;
        sa.sin_port = htons((uint16_t)port);
        sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
        close(fd);
        if (ok)
            return port;
    }
    return -1;
}

/*
 * Host B's network: a namespace of its own joined to this one by a veth
 * pair, so that its workers reach the server over a network link from
 * another address, as a second machine would.  Needs CAP_SYS_ADMIN (root,
 * outside a restricted container) and iproute2; 1 when made, with the
 * namespace's name in ns and the addresses of both ends, else 0 (host B
 * then shares loopback with host A).
 */
static char host_network[32];   /* the namespace to remove at exit */

static void remove_host_network(void)
{
    if (host_network[0])
        th_sh("ip netns del %s 2>/dev/null", host_network);
    host_network[0] = '\0';
}

static int make_host_network(char ns[32], char server_addr[32], char host_b_addr[32])
{
    int pid = (int)getpid(), net = pid % 250 + 1;
    char veth_host[16], veth_ns[16];

    snprintf(ns, 32, "cswk%d", pid);
    snprintf(veth_host, sizeof veth_host, "csh%d", pid % 1000000);
    snprintf(veth_ns, sizeof veth_ns, "csn%d", pid % 1000000);
    snprintf(server_addr, 32, "10.213.%d.1", net);
    snprintf(host_b_addr, 32, "10.213.%d.2", net);
    if (th_sh("ip netns add %s 2>/dev/null", ns) != 0)
        return 0;
    if (th_sh("ip link add %s type veth peer name %s"
              " && ip link set %s netns %s"
              " && ip addr add %s/30 dev %s && ip link set %s up"
              " && ip -n %s addr add %s/30 dev %s && ip -n %s link set %s up"
              " && ip -n %s link set lo up",
              veth_host, veth_ns, veth_ns, ns, server_addr, veth_host, veth_host, ns,
              host_b_addr, veth_ns, ns, veth_ns, ns) != 0) {
        th_sh("ip link del %s 2>/dev/null; ip netns del %s", veth_host, ns);
        return 0;
    }
    snprintf(host_network, sizeof host_network, "%s", ns);
    atexit(remove_host_network);   /* also when an assertion ends the test early */
    return 1;
}

START_TEST(test_two_hosts_share_the_queue)
{
    char zip1[200], zip2[200], conninfo[200], conninfo_b[200], home_a[160], home_b[160];
    char q[512], ns[32], server_addr[32], host_b_addr[32];
    PGconn *c = th_connect(&env);
    int port = free_port(), netns;
    pid_t host_a, host_b;
    long long b1, b2;
    th_result r;

    ck_assert_int_gt(port, 0);
    netns = make_host_network(ns, server_addr, host_b_addr);
    fprintf(stderr, "two hosts: host B %s\n",
            netns ? "in its own network namespace, over a veth pair"
                  : "on loopback (network namespaces cannot be made here)");
    /* the embedded server also listens on TCP (port= also names its socket);
     * host B's address is let in as a sysadmin would let in a second host */
    snprintf(q, sizeof q, "ALTER SYSTEM SET listen_addresses = '127.0.0.1%s%s'",
             netns ? "," : "", netns ? server_addr : "");
    PQclear(PQexec(c, q));
    snprintf(q, sizeof q, "ALTER SYSTEM SET port = %d", port);
    PQclear(PQexec(c, q));
    PQfinish(c);
    ck_assert_int_eq(th_sh("echo 'host chartscan chartscan 127.0.0.1/32 trust' >> '%s/pg/data/pg_hba.conf'",
                           env.home), 0);
    if (netns)
        ck_assert_int_eq(th_sh("echo 'host chartscan chartscan %s/32 trust' >> '%s/pg/data/pg_hba.conf'",
                               host_b_addr, env.home), 0);
    r = th_chartscan(&env, "db", "stop", (char *)NULL);
    th_result_free(&r);
    r = th_chartscan(&env, "db", "start", (char *)NULL);
    ck_assert_msg(r.status == 0, "%s", r.err);
    th_result_free(&r);

    snprintf(conninfo, sizeof conninfo, "host=127.0.0.1 port=%d dbname=chartscan user=chartscan",
             port);
    snprintf(conninfo_b, sizeof conninfo_b, "host=%s port=%d dbname=chartscan user=chartscan",
             netns ? server_addr : "127.0.0.1", port);
    setenv("CHARTSCAN_DB", conninfo, 1);
    c = th_connect_to(conninfo);
    ck_assert_ptr_nonnull(c);
    th_sample_archive(&env, 26, 3, zip1, sizeof zip1);
    th_sample_archive(&env, 27, 3, zip2, sizeof zip2);
    b1 = th_submit(&env, zip1);
    b2 = th_submit(&env, zip2);
    /* two hosts: separate homes, each its own pool */
    snprintf(home_a, sizeof home_a, "%s/host-a", env.dir);
    snprintf(home_b, sizeof home_b, "%s/host-b", env.dir);
    setenv("CHARTSCAN_HOME", home_a, 1);
    host_a = th_chartscan_bg(&env, "host-a", "work", "-j", "1", "--until-idle", (char *)NULL);
    setenv("CHARTSCAN_HOME", home_b, 1);
    setenv("CHARTSCAN_DB", conninfo_b, 1);
    if (netns) {
        char *argv[] = {"ip", "netns", "exec", ns, env.bin, "work", "-j", "1", "--until-idle",
                        NULL};
        host_b = th_spawn_bg(&env, "host-b", argv);
    } else {
        host_b = th_chartscan_bg(&env, "host-b", "work", "-j", "1", "--until-idle", (char *)NULL);
    }
    setenv("CHARTSCAN_DB", conninfo, 1);
    ck_assert_int_eq(th_wait(host_a, 300), 0);
    ck_assert_int_eq(th_wait(host_b, 300), 0);
    remove_host_network();   /* the veth pair goes with the namespace */
    assert_batch_complete(c, b1);
    assert_batch_complete(c, b2);
    /* both hosts did work, and no page was done twice */
    snprintf(q, sizeof q, "SELECT count(DISTINCT split_part(worker, ':', 2)) FROM job"
                          " WHERE batch_id IN (%lld, %lld) AND kind = 'ocr'", b1, b2);
    ck_assert_int_eq(th_long(c, q), 2);
    {
        char pg_a[200], pg_b[200];
        snprintf(pg_a, sizeof pg_a, "%s/pg", home_a);
        snprintf(pg_b, sizeof pg_b, "%s/pg", home_b);
        ck_assert_int_ne(access(pg_a, F_OK), 0);   /* no private server on a host */
        ck_assert_int_ne(access(pg_b, F_OK), 0);
    }
    PQfinish(c);
}
END_TEST

static Suite *workers_suite(void)
{
    Suite *s = suite_create("workers");
    TCase *crash = tcase_create("crashes");
    TCase *input = tcase_create("hostile input");
    TCase *hosts = tcase_create("many hosts");

    tcase_set_timeout(crash, 600);
    tcase_set_timeout(input, 300);
    tcase_set_timeout(hosts, 600);
    tcase_add_test(crash, test_worker_killed_mid_page);
    tcase_add_test(crash, test_whole_pool_killed);
    tcase_add_test(crash, test_database_restarted_mid_batch);
    tcase_add_test(crash, test_sigterm_stops_gracefully);
    tcase_add_test(crash, test_unpack_resumes_after_interruption);
    tcase_add_test(input, test_same_archive_twice_at_once);
    tcase_add_test(input, test_hostile_archive);
    /* last: it moves the server to a TCP port */
    tcase_add_test(hosts, test_two_hosts_share_the_queue);
    suite_add_tcase(s, crash);
    suite_add_tcase(s, input);
    suite_add_tcase(s, hosts);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(workers_suite());
    th_result r;
    int failed;

    th_setup(&env, "wk");
    r = th_chartscan(&env, "init", (char *)NULL);
    if (r.status != 0) {
        fprintf(stderr, "init failed: %s\n", r.err);
        th_teardown(&env);
        return 1;
    }
    th_result_free(&r);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    th_teardown(&env);
    return failed ? 1 : 0;
}
