#ifndef CYBERNETIC_CNCURSES_SHIM_H
#define CYBERNETIC_CNCURSES_SHIM_H

// Wide-character entry points (add_wch, setcchar) are only declared with this set.
#ifndef _XOPEN_SOURCE_EXTENDED
#define _XOPEN_SOURCE_EXTENDED 1
#endif

#include <locale.h>
#include <langinfo.h>
#include <string.h>
#include <wchar.h>
#include <ncursesw/curses.h>

// Swift cannot see C macros with arguments nor the mutable globals ncurses exports,
// so they are wrapped here as static inline functions.

static inline WINDOW *cn_stdscr(void) { return stdscr; }
static inline int cn_lines(void) { return LINES; }
static inline int cn_cols(void) { return COLS; }
static inline int cn_colors(void) { return COLORS; }
static inline int cn_color_pairs(void) { return COLOR_PAIRS; }
static inline chtype cn_color_pair(int n) { return COLOR_PAIR(n); }
static inline int cn_getmaxy(WINDOW *w) { return getmaxy(w); }
static inline int cn_getmaxx(WINDOW *w) { return getmaxx(w); }
static inline attr_t cn_a_bold(void) { return A_BOLD; }
static inline attr_t cn_a_dim(void) { return A_DIM; }
static inline attr_t cn_a_reverse(void) { return A_REVERSE; }
static inline attr_t cn_a_underline(void) { return A_UNDERLINE; }
static inline attr_t cn_a_normal(void) { return A_NORMAL; }
static inline int cn_key_resize(void) { return KEY_RESIZE; }
static inline int cn_key_btab(void) { return KEY_BTAB; }
static inline int cn_key_up(void) { return KEY_UP; }
static inline int cn_key_down(void) { return KEY_DOWN; }
static inline int cn_key_left(void) { return KEY_LEFT; }
static inline int cn_key_right(void) { return KEY_RIGHT; }
static inline int cn_key_npage(void) { return KEY_NPAGE; }
static inline int cn_key_ppage(void) { return KEY_PPAGE; }
static inline int cn_err(void) { return ERR; }

/// Writes one wide character with attributes and a color pair at (y, x).
static inline int cn_put_wchar(int y, int x, wchar_t ch, attr_t attrs, short pair) {
    cchar_t cell;
    wchar_t text[2] = { ch, L'\0' };
    setcchar(&cell, text, attrs, pair, NULL);
    return mvadd_wch(y, x, &cell);
}

static inline int cn_key_home(void) { return KEY_HOME; }
static inline int cn_key_end(void) { return KEY_END; }
static inline int cn_key_enter(void) { return KEY_ENTER; }
static inline int cn_key_backspace(void) { return KEY_BACKSPACE; }
static inline int cn_key_code_yes(void) { return KEY_CODE_YES; }
static inline int cn_ok(void) { return OK; }

/// Reads one key (the caller sets nodelay). Returns ERR when there is none, KEY_CODE_YES with a
/// function-key code in *out, or OK with a character in *out.
static inline int cn_get_key(WINDOW *w, int *out) {
    wint_t ch = 0;
    int rc = wget_wch(w, &ch);
    *out = (int)ch;
    return rc;
}

/// Like cn_put_wchar, but with an int color pair, so pairs above 32767 (extended colors,
/// direct-color terminals) work.
static inline int cn_put_wchar_ext(int y, int x, wchar_t ch, attr_t attrs, int pair) {
    cchar_t cell;
    wchar_t text[2] = { ch, L'\0' };
    setcchar(&cell, text, attrs, 0, &pair);
    return mvadd_wch(y, x, &cell);
}

/// Opens the controlling terminal read-write, for newterm: the dashboard talks to the terminal
/// even when stdin is redirected.
static inline FILE *cn_open_tty(void) { return fopen("/dev/tty", "r+"); }

/// Columns a character takes in the current locale: the same answer ncurses uses, so the canvas
/// and the screen agree on where every cell is.
static inline int cn_wcwidth(unsigned int c) { return wcwidth((wchar_t)c); }

/// Whether the current locale's character set is UTF-8 (after setlocale).
static inline int cn_locale_is_utf8(void) {
    const char *codeset = nl_langinfo(CODESET);
    return codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
}

#endif
