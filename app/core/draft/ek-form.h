/* ek-form.h: the application form as data (the catalogue's "forms" and "authorities")
 *
 * Sections of fields, the flow step that shows each section, which sections each business
 * type uses (a field of the draft may be shown again by a section of another step, with its own
 * label, for a business that asks the same things on a page of its own: the first section
 * holding it is the one ek_form_lookup_field() and ek_form_step_for_field() answer), and the checks each field runs as the clerk types: the same checks as the
 * server (ek-validators.c). Pages are built from this, so another business type reuses them
 * by naming its sections in the catalogue.
 */
#pragma once

#include <glib-object.h>
#include <json-glib/json-glib.h>

#include "ek-application-draft.h"
#include "ek-catalogue.h"
#include "ek-validators.h"

G_BEGIN_DECLS

#define EK_FORM_ERROR (ek_form_error_quark ())

typedef enum
{
  EK_FORM_ERROR_INVALID,   /* the catalogue's "forms" or "authorities" section is wrong */
} EkFormError;

GQuark ek_form_error_quark (void);

typedef enum
{
  EK_FORM_FIELD_TEXT,       /* one line of text */
  EK_FORM_FIELD_CHOICE,     /* one of the field's choices */
  EK_FORM_FIELD_ID_TYPE,    /* one of the ID document types */
  EK_FORM_FIELD_TICK,       /* a tick box (a boolean field of the draft) */
  EK_FORM_FIELD_AUTHORITY,  /* one of the issuing authorities */
} EkFormFieldKind;

typedef enum
{
  EK_FORM_CHECK_NONE,
  EK_FORM_CHECK_USCC,
  EK_FORM_CHECK_CODE13,
  EK_FORM_CHECK_ID_NUMBER,   /* a resident ID check when the paired ID type is resident-id */
  EK_FORM_CHECK_MOBILE,
  EK_FORM_CHECK_LANDLINE,
  EK_FORM_CHECK_POSTCODE,
  EK_FORM_CHECK_EMAIL,
  EK_FORM_CHECK_LOGIN_NAME,  /* by the draft's licence type */
} EkFormCheck;

typedef struct
{
  char *value;
  char *label;   /* localized */
} EkFormChoice;

typedef struct
{
  char            *name;          /* the draft's field */
  char            *server_name;   /* the API's name for it (errors[].field), or NULL */
  EkFormFieldKind  kind;
  gboolean         required;
  EkFormCheck      check;
  char            *label;         /* localized */
  char            *hint;          /* localized, or NULL */
  GHashTable      *business_hints; /* business type id → localized hint in its place, or NULL */
  char            *id_type_field; /* for an ID number: the field holding its type, or NULL */
  GPtrArray       *choices;       /* EkFormChoice*, for CHOICE, ID_TYPE and AUTHORITY */
  gboolean         sensitive;     /* an ID number: masked when shown, never logged */
  gboolean         fixed;         /* shown, not changed, once the service filled it in (the draft's
                                   * "locked-fields"); typed like any other while it is empty */
} EkFormField;

typedef struct
{
  char      *id;
  char      *step;    /* the flow step whose page shows this section */
  char      *title;   /* localized */
  GPtrArray *fields;  /* EkFormField* */
} EkFormSection;

typedef struct
{
  char *id;
  char *name;      /* localized */
  char *address;   /* localized, or NULL where the catalogue does not give it */
  char *phone;     /* or NULL */
} EkAuthority;

/* What a field's check found, with the message for the clerk (NULL when VALID) */
typedef struct
{
  const EkFormField *field;
  EkValidity         validity;
  char              *message;
} EkFormProblem;

void ek_form_problem_free (EkFormProblem *problem);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (EkFormProblem, ek_form_problem_free)

#define EK_TYPE_FORM (ek_form_get_type ())
G_DECLARE_FINAL_TYPE (EkForm, ek_form, EK, FORM, GObject)

EkForm              *ek_form_new_from_json          (JsonObject         *catalogue,
                                                     GError            **error);
EkForm              *ek_form_get_for_catalogue      (EkCatalogue        *catalogue,
                                                     GError            **error);
GPtrArray           *ek_form_get_sections           (EkForm             *self,
                                                     const char         *business_type_id,
                                                     const char         *step);
const EkFormSection *ek_form_lookup_section         (EkForm             *self,
                                                     const char         *section_id);
const EkFormField   *ek_form_lookup_field           (EkForm             *self,
                                                     const char         *name);
const EkFormField   *ek_form_lookup_server_field    (EkForm             *self,
                                                     const char         *server_name);
const char          *ek_form_step_for_field         (EkForm             *self,
                                                     const char         *name);
gboolean             ek_form_has_step               (EkForm             *self,
                                                     const char         *step);
guint                ek_form_get_n_authorities      (EkForm             *self);
const EkAuthority   *ek_form_get_authority          (EkForm             *self,
                                                     guint               index);
const EkAuthority   *ek_form_lookup_authority       (EkForm             *self,
                                                     const char         *id);

EkFormProblem       *ek_form_check_field            (EkForm             *self,
                                                     const EkFormField  *field,
                                                     EkApplicationDraft *draft);
GPtrArray           *ek_form_check_draft            (EkForm             *self,
                                                     EkApplicationDraft *draft,
                                                     const char         *step);
const char          *ek_form_field_get_hint         (const EkFormField  *field,
                                                     const char         *business_type_id);
char                *ek_form_dup_display_value      (EkForm             *self,
                                                     const EkFormField  *field,
                                                     EkApplicationDraft *draft);
gboolean             ek_form_field_is_locked        (const EkFormField  *field,
                                                     EkApplicationDraft *draft);

G_END_DECLS
