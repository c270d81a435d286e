/* ek-redact.h: what may leave the computer in a helpdesk report
 *
 * The report is built from typed fields; the only free text in it (error messages, labels,
 * names on a certificate) goes through ek_redact_text(), which withholds whatever could be a
 * PIN, an ID number, a phone number, a code, an e-mail address's mailbox or a session token.
 */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Free text with every word of 4 or more digits, every run of 20 or more token characters
 * and every e-mail mailbox replaced by "•••"; full-width characters are read as their ASCII
 * forms (NFKC) first. Any input gives valid UTF-8. */
char *ek_redact_text (const char *text);
/* A code (credit code, ID number, serial) with its first 4 and last 2 characters kept, the
 * rest as "*"; codes of 8 characters or fewer become "***" */
char *ek_redact_code (const char *code);

G_END_DECLS
