/* ek-page.c: the base class of every wizard page
 *
 * A page says whether it is complete (the window's Next follows it) and may do work when the
 * user moves on (apply). Pages are created once per step and kept, so Back never loses input;
 * what a page holds lives in the draft, which pages share.
 */
#include "config.h"

#include "ek-page.h"
#include "ek-ui-helpers.h"

typedef struct
{
  EkApplicationDraft *draft;
  char               *title;
  guint               complete : 1;
} EkPagePrivate;

G_DEFINE_TYPE_WITH_PRIVATE (EkPage, ek_page, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_DRAFT,
  PROP_TITLE,
  PROP_COMPLETE,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
ek_page_real_apply_async (EkPage              *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (self, cancellable, callback, user_data);

  g_task_set_source_tag (task, ek_page_real_apply_async);
  g_task_return_boolean (task, TRUE);
}

static gboolean
ek_page_real_apply_finish (EkPage        *self,
                           GAsyncResult  *result,
                           GError       **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* What GTK 4.8 leaves unnamed inside a page's controls (the button of each drop-down) is
 * named here, once for every page, each time the page is shown */
static void
ek_page_map (GtkWidget *widget)
{
  GTK_WIDGET_CLASS (ek_page_parent_class)->map (widget);
  ek_ui_name_inner_controls (widget);
}

static void
ek_page_dispose (GObject *object)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (GTK_WIDGET (object))) != NULL)
    gtk_widget_unparent (child);

  G_OBJECT_CLASS (ek_page_parent_class)->dispose (object);
}

static void
ek_page_finalize (GObject *object)
{
  EkPagePrivate *priv = ek_page_get_instance_private (EK_PAGE (object));

  g_clear_object (&priv->draft);
  g_clear_pointer (&priv->title, g_free);

  G_OBJECT_CLASS (ek_page_parent_class)->finalize (object);
}

static void
ek_page_get_property (GObject    *object,
                      guint       prop_id,
                      GValue     *value,
                      GParamSpec *pspec)
{
  EkPage *self = EK_PAGE (object);
  EkPagePrivate *priv = ek_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_DRAFT:
      g_value_set_object (value, priv->draft);
      break;
    case PROP_TITLE:
      g_value_set_string (value, priv->title);
      break;
    case PROP_COMPLETE:
      g_value_set_boolean (value, priv->complete);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_page_set_property (GObject      *object,
                      guint         prop_id,
                      const GValue *value,
                      GParamSpec   *pspec)
{
  EkPage *self = EK_PAGE (object);
  EkPagePrivate *priv = ek_page_get_instance_private (self);

  switch (prop_id)
    {
    case PROP_DRAFT:
      priv->draft = g_value_dup_object (value);
      break;
    case PROP_TITLE:
      ek_page_set_title (self, g_value_get_string (value));
      break;
    case PROP_COMPLETE:
      ek_page_set_complete (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
ek_page_class_init (EkPageClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = ek_page_dispose;
  object_class->finalize = ek_page_finalize;
  object_class->get_property = ek_page_get_property;
  object_class->set_property = ek_page_set_property;

  widget_class->map = ek_page_map;
  klass->apply_async = ek_page_real_apply_async;
  klass->apply_finish = ek_page_real_apply_finish;

  properties[PROP_DRAFT] =
    g_param_spec_object ("draft", NULL, NULL, EK_TYPE_APPLICATION_DRAFT,
                         G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_TITLE] =
    g_param_spec_string ("title", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_COMPLETE] =
    g_param_spec_boolean ("complete", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);

  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
ek_page_init (EkPage *self)
{
}

/**
 * ek_page_get_draft:
 * Returns: (transfer none): the application this page edits
 */
EkApplicationDraft *
ek_page_get_draft (EkPage *self)
{
  EkPagePrivate *priv = ek_page_get_instance_private (self);

  g_return_val_if_fail (EK_IS_PAGE (self), NULL);
  return priv->draft;
}

const char *
ek_page_get_title (EkPage *self)
{
  EkPagePrivate *priv = ek_page_get_instance_private (self);

  g_return_val_if_fail (EK_IS_PAGE (self), NULL);
  return priv->title;
}

void
ek_page_set_title (EkPage     *self,
                   const char *title)
{
  EkPagePrivate *priv = ek_page_get_instance_private (self);

  g_return_if_fail (EK_IS_PAGE (self));

  if (g_strcmp0 (priv->title, title) == 0)
    return;
  g_free (priv->title);
  priv->title = g_strdup (title);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_LABEL, title, -1);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TITLE]);
}

gboolean
ek_page_get_complete (EkPage *self)
{
  EkPagePrivate *priv = ek_page_get_instance_private (self);

  g_return_val_if_fail (EK_IS_PAGE (self), FALSE);
  return priv->complete;
}

void
ek_page_set_complete (EkPage   *self,
                      gboolean  complete)
{
  EkPagePrivate *priv = ek_page_get_instance_private (self);

  g_return_if_fail (EK_IS_PAGE (self));

  complete = !!complete;
  if (priv->complete == complete)
    return;
  priv->complete = complete;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_COMPLETE]);
}

void
ek_page_shown (EkPage *self)
{
  g_return_if_fail (EK_IS_PAGE (self));

  if (EK_PAGE_GET_CLASS (self)->shown)
    EK_PAGE_GET_CLASS (self)->shown (self);
}

void
ek_page_apply_async (EkPage              *self,
                     GCancellable        *cancellable,
                     GAsyncReadyCallback  callback,
                     gpointer             user_data)
{
  g_return_if_fail (EK_IS_PAGE (self));
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  EK_PAGE_GET_CLASS (self)->apply_async (self, cancellable, callback, user_data);
}

gboolean
ek_page_apply_finish (EkPage        *self,
                      GAsyncResult  *result,
                      GError       **error)
{
  g_return_val_if_fail (EK_IS_PAGE (self), FALSE);

  return EK_PAGE_GET_CLASS (self)->apply_finish (self, result, error);
}
