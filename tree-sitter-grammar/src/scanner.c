// External scanner for Ward: nested block comments `/* a /* b */ c */`,
// which no regular expression can match.

#include "tree_sitter/parser.h"

#include <stdbool.h>
#include <wctype.h>

enum TokenType {
  BLOCK_COMMENT,
};

void *tree_sitter_ward_external_scanner_create(void) { return NULL; }

void tree_sitter_ward_external_scanner_destroy(void *payload) { (void)payload; }

unsigned tree_sitter_ward_external_scanner_serialize(void *payload, char *buffer) {
  (void)payload;
  (void)buffer;
  return 0;
}

void tree_sitter_ward_external_scanner_deserialize(void *payload, const char *buffer, unsigned length) {
  (void)payload;
  (void)buffer;
  (void)length;
}

static inline void advance(TSLexer *lexer) { lexer->advance(lexer, false); }

bool tree_sitter_ward_external_scanner_scan(void *payload, TSLexer *lexer, const bool *valid_symbols) {
  (void)payload;
  if (!valid_symbols[BLOCK_COMMENT]) return false;

  while (iswspace(lexer->lookahead)) lexer->advance(lexer, true);

  if (lexer->lookahead != '/') return false;
  advance(lexer);
  if (lexer->lookahead != '*') return false;
  advance(lexer);

  // Depth counts the open `/*`; the comment ends when it returns to zero.
  unsigned depth = 1;
  while (depth > 0) {
    if (lexer->eof(lexer)) {
      // Unterminated: the comment runs to the end of the file, and the
      // compiler reports it (`syntax::unterminated_comment`). Refusing the
      // token instead would make the parser retry at every later `/*`,
      // rescanning to the end each time: quadratic in the file's size.
      break;
    }
    if (lexer->lookahead == '*') {
      advance(lexer);
      if (lexer->lookahead == '/') {
        advance(lexer);
        depth--;
      }
    } else if (lexer->lookahead == '/') {
      advance(lexer);
      if (lexer->lookahead == '*') {
        advance(lexer);
        depth++;
      }
    } else {
      advance(lexer);
    }
  }
  lexer->result_symbol = BLOCK_COMMENT;
  return true;
}
