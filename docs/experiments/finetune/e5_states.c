/* experiment (docs/experiments/finetune/): the token states after the first K layers of one text, and the
 * float weights of a layer, so that the upper layers can be trained outside the engine. Appended to e5.c. */
int e5_states_upto(e5_model *m, const char *text, int is_query, int K, float *out, int max_tokens) {
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
    int *ids = (int *)malloc(sizeof(int) * L), *pos = (int *)malloc(sizeof(int) * L);
    int *ss = (int *)malloc(sizeof(int) * L), *se = (int *)malloc(sizeof(int) * L);
    int segoff2[2] = {0, L};
    ids[0] = m->tok.bos; pos[0] = 0;
    for (int j = 0; j < nc; j++) { ids[1 + j] = cont[j]; pos[1 + j] = 1 + j; }
    ids[L - 1] = m->tok.eos; pos[L - 1] = L - 1;
    for (int t = 0; t < L; t++) { ss[t] = 0; se[t] = L; }
    int NL = m->NL; m->NL = K;
    forward_batch(m, ids, pos, ss, se, segoff2, 1, L, NULL, out);
    m->NL = NL;
    free(cont); free(ids); free(pos); free(ss); free(se);
    return L;
}

/* which: 0 q, 1 k, 2 v, 3 attention out, 4 ffn in, 5 ffn out; out holds nout*nin floats, row-major [nout][nin] */
int e5_layer_matrix(e5_model *m, int l, int which, float *out) {
    layer_t *ly = &m->layers[l];
    const block_q4_0 *w[6] = {ly->qw, ly->kw, ly->vw, ly->aow, ly->fiw, ly->fow};
    int nout = which == 4 ? m->FF : m->H, nin = which == 5 ? m->FF : m->H;
    for (int r = 0; r < nout; r++) deq_row(w[which] + (size_t)r * (nin / QK), nin, out + (size_t)r * nin);
    return nout * nin;
}

/* which: 0 qb, 1 kb, 2 vb, 3 aob, 4 aln_w, 5 aln_b, 6 fib (FF), 7 fob, 8 oln_w, 9 oln_b */
int e5_layer_vector(e5_model *m, int l, int which, float *out) {
    layer_t *ly = &m->layers[l];
    const float *v[10] = {ly->qb, ly->kb, ly->vb, ly->aob, ly->aln_w, ly->aln_b, ly->fib, ly->fob, ly->oln_w, ly->oln_b};
    int n = which == 6 ? m->FF : m->H;
    memcpy(out, v[which], sizeof(float) * n);
    return n;
}

/* round 9's experiment (docs/experiments/second-signal/r9_tok.py): the final layer's token states */
int e5_embed_tokens(e5_model *m, const char *text, int is_query, float *out, int max_tokens) {
    return e5_states_upto(m, text, is_query, m->NL, out, max_tokens);
}
