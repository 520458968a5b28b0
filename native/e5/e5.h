/* e5.h - blazing-fast CPU inference for multilingual-e5-small (4-bit, pure C) */
#ifndef E5_H
#define E5_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct e5_model e5_model;

/* Load the packed 4-bit model produced by convert.py. Returns NULL on error. */
e5_model *e5_load(const char *path);
/* Load a model from an in-memory image (e.g. embedded in the binary). The
 * buffer must outlive the model; it is not copied or freed. */
e5_model *e5_load_mem(const void *data, size_t size);
void      e5_free(e5_model *m);

/* Token count (incl. specials) for usage reporting. */
int e5_token_count(e5_model *m, const char *text, int is_query);

/* Embedding dimension (384). */
int       e5_dim(const e5_model *m);

/* Name of the matmul kernel chosen at load: "amx", "avx512vnni", "avx2" or
 * "scalar" (Meldhulp addition; E5_KERNEL=avx512vnni|avx2|scalar in the
 * environment at load time asks for a lower one). */
const char *e5_kernel(const e5_model *m);

/* Run only the first `n` of the model's transformer layers (1..12; 12 at load), the sentence vector being the mean
 * of layer n's token states (Meldhulp addition: the classifier's number is bot/nlu/embeddings.py's LAYERS). Returns 0,
 * or -1 for an n out of range (nothing changed). e5_layers gives the number in use. e5_embed_sparse returns -1 while
 * fewer layers or a token cap are set. */
int e5_set_layers(e5_model *m, int n);
int e5_layers(const e5_model *m);

/* Embed at most `n` tokens of a text (bos and eos included; 0, as at load: no cap): a longer text keeps its first
 * (n-2)/2 and its last (n-2) - (n-2)/2 content tokens, the "query: " prefix among the first (Meldhulp addition:
 * bot/nlu/embeddings.py's MAX_TOKENS; docs/experiments/e5-layers/). e5_token_count still counts every token.
 * Returns 0, or -1 for 1..3, a negative n or one above the model's 512 positions. */
int e5_set_max_tokens(e5_model *m, int n);

/* Embed one text. `is_query` selects the "query: " (1) or "passage: " (0)
 * prefix described in the model card. `out` must hold e5_dim() floats; it is
 * filled with the L2-normalized sentence embedding. Returns 0 on success.
 * Internally parallelized across CPU cores (low latency for a single text). */
int e5_embed(e5_model *m, const char *text, int is_query, float *out);

/* Embed `n` texts at once, writing n*e5_dim() floats (row-major) into `out`.
 * Parallelized across texts for maximum throughput. Returns 0 on success. */
int e5_embed_batch(e5_model *m, const char **texts, int n, int is_query,
                   float *out);

/* --- sparse "latent terms" via a trained TopK sparse autoencoder (SAE) -----
 * Load a sparse head (sae.bin from sae_train.py); then e5_embed_sparse maps the
 * encoder's token hidden states through the SAE and max-pools over tokens into
 * a high-dimensional sparse vector for hybrid (dense + sparse) retrieval. */

/* Attach a sparse head from sae.bin. Returns 0 on success. */
int e5_load_sae(e5_model *m, const char *path);

/* Number of sparse features (SAE latent dimension), or 0 if no SAE is loaded. */
int e5_sparse_dim(const e5_model *m);

/* Top-k sparse vector for `text`. Requires e5_load_sae. `out_idx`/`out_val`
 * must hold `top_k` entries; returns the number of nonzeros (<= top_k), sorted
 * by weight descending, or -1 if no SAE is loaded. Sparse uses the raw text
 * (no query:/passage: prefix); the same recipe is used for queries and docs. */
int e5_embed_sparse(e5_model *m, const char *text, int top_k,
                    int32_t *out_idx, float *out_val);

#ifdef __cplusplus
}
#endif
#endif /* E5_H */
