/* ek-token.h: one key (PKCS#11 token) as seen at one moment, with its certificates */
#pragma once

#include <gio/gio.h>

#include "ek-certificate-info.h"

G_BEGIN_DECLS

/* What the token's PIN flags mean for the clerk */
typedef enum
{
  EK_PIN_STATE_OK,
  EK_PIN_STATE_COUNT_LOW,   /* a wrong PIN was entered since the last right one */
  EK_PIN_STATE_FINAL_TRY,   /* one more wrong PIN locks the key */
  EK_PIN_STATE_LOCKED,      /* locked: the PIN-unlock business */
} EkPinState;

#define EK_TYPE_TOKEN (ek_token_get_type ())
G_DECLARE_FINAL_TYPE (EkToken, ek_token, EK, TOKEN, GObject)

EkToken      *ek_token_new                 (const char   *module_path,
                                            const char   *module_name,
                                            gulong        slot_id,
                                            const char   *label,
                                            const char   *manufacturer,
                                            const char   *model,
                                            const char   *serial,
                                            gulong        flags);
const char   *ek_token_get_module_path     (EkToken      *self);
const char   *ek_token_get_module_name     (EkToken      *self);
gulong        ek_token_get_slot_id         (EkToken      *self);
const char   *ek_token_get_label           (EkToken      *self);
const char   *ek_token_get_manufacturer    (EkToken      *self);
const char   *ek_token_get_model           (EkToken      *self);
const char   *ek_token_get_serial          (EkToken      *self);
gulong        ek_token_get_flags           (EkToken      *self);
EkPinState    ek_token_get_pin_state       (EkToken      *self);
char         *ek_token_dup_identity        (EkToken      *self);
GPtrArray    *ek_token_get_certificates    (EkToken      *self);
GPtrArray    *ek_token_get_problems        (EkToken      *self);
void          ek_token_add_certificate     (EkToken      *self,
                                            EkCertificateInfo *certificate);
void          ek_token_add_problem         (EkToken      *self,
                                            const char   *problem);

const char   *ek_pin_state_describe        (EkPinState    state);
EkPinState    ek_pin_state_from_flags      (gulong        flags);

G_END_DECLS
