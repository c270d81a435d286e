/* ek-fault-wrap-pkcs11.c: a real PKCS#11 module (SoftHSM) that loses its key on demand
 *
 * SoftHSM cannot be pulled out halfway through a renewal; this wrapper forwards every call to
 * the module named by $EK_FAULT_WRAP_MODULE and, as $EK_FAULT_WRAP says, makes the token vanish
 * for the rest of the process:
 *
 *   remove-after-keygen   once C_GenerateKeyPair has made a key pair (the next look for the key
 *                         finds no token)
 *   remove-at-write       C_CreateObject fails as if the key was pulled out while writing
 *   remove-after-write    once C_CreateObject has written an object (the session that wrote it
 *                         still reads it back; the next look finds no token)
 *
 * A vanished token: C_GetSlotList(tokenPresent) lists no slot, C_GetTokenInfo and C_OpenSession
 * answer CKR_TOKEN_NOT_PRESENT, the calls that change objects CKR_DEVICE_REMOVED. Running the
 * next attempt with SoftHSM itself is putting the key back.
 */
#include <dlfcn.h>
#include <p11-kit/pkcs11.h>
#include <stdlib.h>
#include <string.h>

static CK_FUNCTION_LIST *real;
static CK_FUNCTION_LIST wrapped;
static int after_keygen, at_write, after_write;
static int pending, removed;

static int
wanted (const char *name)
{
  const char *list = getenv ("EK_FAULT_WRAP");
  return list != NULL && strstr (list, name) != NULL;
}

static void
arm (void)
{
  if (pending)
    removed = 1;
}

static CK_RV
w_GetSlotList (CK_BBOOL token_present, CK_SLOT_ID_PTR slots, CK_ULONG_PTR count)
{
  arm ();
  if (removed && token_present)
    {
      *count = 0;
      return CKR_OK;
    }
  return real->C_GetSlotList (token_present, slots, count);
}

static CK_RV
w_GetTokenInfo (CK_SLOT_ID slot, CK_TOKEN_INFO_PTR info)
{
  arm ();
  return removed ? CKR_TOKEN_NOT_PRESENT : real->C_GetTokenInfo (slot, info);
}

static CK_RV
w_OpenSession (CK_SLOT_ID slot, CK_FLAGS flags, CK_VOID_PTR app, CK_NOTIFY notify, CK_SESSION_HANDLE_PTR session)
{
  arm ();
  return removed ? CKR_TOKEN_NOT_PRESENT : real->C_OpenSession (slot, flags, app, notify, session);
}

static CK_RV
w_GenerateKeyPair (CK_SESSION_HANDLE s, CK_MECHANISM_PTR m, CK_ATTRIBUTE_PTR pt, CK_ULONG pn,
                   CK_ATTRIBUTE_PTR kt, CK_ULONG kn, CK_OBJECT_HANDLE_PTR pub, CK_OBJECT_HANDLE_PTR priv)
{
  CK_RV rv;

  if (removed)
    return CKR_DEVICE_REMOVED;
  rv = real->C_GenerateKeyPair (s, m, pt, pn, kt, kn, pub, priv);
  if (rv == CKR_OK && after_keygen)
    pending = 1;
  return rv;
}

static CK_RV
w_CreateObject (CK_SESSION_HANDLE s, CK_ATTRIBUTE_PTR t, CK_ULONG n, CK_OBJECT_HANDLE_PTR object)
{
  CK_RV rv;

  if (removed || at_write)
    {
      removed = 1;
      return CKR_DEVICE_REMOVED;
    }
  rv = real->C_CreateObject (s, t, n, object);
  if (rv == CKR_OK && after_write)
    pending = 1;
  return rv;
}

static CK_RV
w_DestroyObject (CK_SESSION_HANDLE s, CK_OBJECT_HANDLE object)
{
  return removed ? CKR_DEVICE_REMOVED : real->C_DestroyObject (s, object);
}

CK_RV
C_GetFunctionList (CK_FUNCTION_LIST_PTR_PTR list)
{
  if (real == NULL)
    {
      const char *path = getenv ("EK_FAULT_WRAP_MODULE");
      void *handle = path != NULL ? dlopen (path, RTLD_NOW | RTLD_LOCAL) : NULL;
      CK_C_GetFunctionList get = handle != NULL ? (CK_C_GetFunctionList) dlsym (handle, "C_GetFunctionList") : NULL;

      if (get == NULL || get (&real) != CKR_OK)
        return CKR_GENERAL_ERROR;
      wrapped = *real;
      wrapped.C_GetFunctionList = C_GetFunctionList;
      wrapped.C_GetSlotList = w_GetSlotList;
      wrapped.C_GetTokenInfo = w_GetTokenInfo;
      wrapped.C_OpenSession = w_OpenSession;
      wrapped.C_GenerateKeyPair = w_GenerateKeyPair;
      wrapped.C_CreateObject = w_CreateObject;
      wrapped.C_DestroyObject = w_DestroyObject;
      after_keygen = wanted ("remove-after-keygen");
      at_write = wanted ("remove-at-write");
      after_write = wanted ("remove-after-write");
    }
  *list = &wrapped;
  return CKR_OK;
}
