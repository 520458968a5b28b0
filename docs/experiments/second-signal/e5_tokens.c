/* experiment: final-layer token states of one window (prefix included, truncated) */
int e5_embed_tokens(e5_model *m, const char *text, int is_query, float *out, int max_tokens) {
    set_threads(m);
    const char *pfx = is_query ? "query: " : "passage: ";
    size_t plen = strlen(pfx), tl = strlen(text);
    char *buf = (char *)malloc(plen + tl + 1);
    memcpy(buf, pfx, plen); memcpy(buf + plen, text, tl + 1);
    int capc = (int)(plen + tl) + 4;
    int *cont = (int *)malloc(sizeof(int) * capc);
    int nc = tok_content(&m->tok, buf, cont, capc);
    free(buf);
    int WMAX = m->MAXP - 2; if (nc > WMAX) nc = WMAX;
    int L = nc + 2; if (L > max_tokens) { L = max_tokens; nc = L - 2; }
    int H = m->H;
    int *ids = (int *)malloc(sizeof(int) * L), *pos = (int *)malloc(sizeof(int) * L);
    int *ss = (int *)malloc(sizeof(int) * L), *se = (int *)malloc(sizeof(int) * L);
    int segoff2[2] = {0, L};
    ids[0] = m->tok.bos; pos[0] = 0;
    for (int j = 0; j < nc; j++) { ids[1 + j] = cont[j]; pos[1 + j] = 1 + j; }
    ids[L - 1] = m->tok.eos; pos[L - 1] = L - 1;
    for (int t = 0; t < L; t++) { ss[t] = 0; se[t] = L; }
    forward_batch(m, ids, pos, ss, se, segoff2, 1, L, NULL, out);
    free(cont); free(ids); free(pos); free(ss); free(se);
    (void)H;
    return L;
}
