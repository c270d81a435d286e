/* ek-x509-gnutls.h: the oracle for ek-x509.c, the certificate model as gnutls reads it */
#pragma once

#include "ek-x509.h"

G_BEGIN_DECLS

EkX509 *ek_x509_gnutls_parse (const guint8 *data,
                              gsize         size,
                              char        **reason);

G_END_DECLS
