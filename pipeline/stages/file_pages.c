/*
 * file_pages.c — a source file's recognised pages as the indexer sees them:
 * text, word boxes, size, the blank and separator flags and the barcodes'
 * payloads, in page order.  Failed pages are left out: they belong to no
 * document.
 */
#include "pipeline/stages/stage_internal.h"

#include <stdlib.h>
#include <string.h>

#include "common/common.h"

void cs_file_pages_free(cs_file_pages *fp)
{
    PQclear(fp->page_rows);
    PQclear(fp->word_rows);
    free(fp->pages);
    free(fp->words);
    free(fp->page_id);
    free(fp->page_no);
    free(fp->barcodes);
    memset(fp, 0, sizeof *fp);
}

int cs_file_pages_load(cs_store *s, long long file_id, int unassigned_only, cs_file_pages *fp,
                       char *err, size_t errlen)
{
    char b1[24];
    const char *p[2] = {cs_i64(b1, file_id), unassigned_only ? "true" : "false"};
    size_t nwords, w = 0;

    memset(fp, 0, sizeof *fp);
    fp->page_rows = cs_pq(s,
        "SELECT id, page_no, status = 'blank', coalesce(text, ''), coalesce(width, 0),"
        "       coalesce(height, 0), status = 'separator',"
        "       coalesce(array_to_string(barcodes, E'\\n'), '')"
        "  FROM page WHERE file_id = $1 AND status IN ('done', 'blank', 'separator')"
        "   AND NOT ($2::boolean AND document_id IS NOT NULL)"
        " ORDER BY page_no", 2, p, err, errlen);
    if (!fp->page_rows)
        return -1;
    fp->word_rows = cs_pq(s,
        "SELECT w.page_id, w.text, w.x, w.y, w.w, w.h, w.confidence, w.block, w.line"
        "  FROM word w JOIN page p ON p.id = w.page_id"
        " WHERE p.file_id = $1 AND p.status = 'done'"
        "   AND NOT ($2::boolean AND p.document_id IS NOT NULL)"
        " ORDER BY p.page_no, w.seq", 2, p, err, errlen);
    if (!fp->word_rows) {
        cs_file_pages_free(fp);
        return -1;
    }
    fp->n = (size_t)PQntuples(fp->page_rows);
    nwords = (size_t)PQntuples(fp->word_rows);
    fp->pages = calloc(fp->n ? fp->n : 1, sizeof *fp->pages);
    fp->page_id = calloc(fp->n ? fp->n : 1, sizeof *fp->page_id);
    fp->page_no = calloc(fp->n ? fp->n : 1, sizeof *fp->page_no);
    fp->barcodes = calloc(fp->n ? fp->n : 1, sizeof *fp->barcodes);
    fp->words = calloc(nwords ? nwords : 1, sizeof *fp->words);
    if (!fp->pages || !fp->page_id || !fp->page_no || !fp->words || !fp->barcodes) {
        cs_file_pages_free(fp);
        return cs_fail(err, errlen, "out of memory");
    }
    for (size_t i = 0; i < fp->n; i++) {
        PGresult *r = fp->page_rows;
        cs_index_page *pg = &fp->pages[i];
        fp->page_id[i] = cs_pq_int(r, (int)i, 0);
        fp->page_no[i] = (int)cs_pq_int(r, (int)i, 1);
        pg->blank = *PQgetvalue(r, (int)i, 2) == 't';
        pg->text = PQgetvalue(r, (int)i, 3);
        pg->width = (int)cs_pq_int(r, (int)i, 4);
        pg->height = (int)cs_pq_int(r, (int)i, 5);
        pg->separator = *PQgetvalue(r, (int)i, 6) == 't';
        fp->barcodes[i] = PQgetvalue(r, (int)i, 7);
        /* the words of this page are the next run of word rows (same order) */
        pg->words = &fp->words[w];
        while (w < nwords && cs_pq_int(fp->word_rows, (int)w, 0) == fp->page_id[i]) {
            PGresult *wr = fp->word_rows;
            cs_index_word *word = &fp->words[w];
            word->text = PQgetvalue(wr, (int)w, 1);
            word->x = (int)cs_pq_int(wr, (int)w, 2);
            word->y = (int)cs_pq_int(wr, (int)w, 3);
            word->w = (int)cs_pq_int(wr, (int)w, 4);
            word->h = (int)cs_pq_int(wr, (int)w, 5);
            word->confidence = (float)atof(PQgetvalue(wr, (int)w, 6));
            word->block = (int)cs_pq_int(wr, (int)w, 7);
            word->line = (int)cs_pq_int(wr, (int)w, 8);
            w++;
            pg->nwords++;
        }
    }
    return 0;
}
