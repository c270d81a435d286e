/* ek-secret.h: a PIN held only as long as one call needs it */
#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

typedef struct _EkSecret EkSecret;

#define EK_TYPE_SECRET (ek_secret_get_type ())
GType        ek_secret_get_type  (void) G_GNUC_CONST;

EkSecret    *ek_secret_new       (const char *text,
                                  gssize      length);
EkSecret    *ek_secret_ref       (EkSecret   *secret);
void         ek_secret_unref     (EkSecret   *secret);
const char  *ek_secret_get_data  (EkSecret   *secret,
                                  gsize      *length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkSecret, ek_secret_unref)

G_END_DECLS
