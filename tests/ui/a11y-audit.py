#!/usr/bin/python3
"""a11y-audit.py: every control of the running wizard has an accessible name.

Starts the real ekey-assistant, reads its accessibility tree over AT-SPI (as Orca would), and
for the first page and the first step of every business type reports each control that a screen
reader would announce without a name. Moves through the wizard with AT-SPI's own Selection and
Action interfaces, not the mouse. Then continues a saved application that is filled in and was
left on "Check your answers", audits the list of applications in progress, the review page and
each form page (walking back with Back), and checks that every control of those pages can take
the keyboard focus. Runs with drafts in a temporary $XDG_DATA_HOME. Prints TAP.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid

import pyatspi

INTERACTIVE = {
    pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX,
    pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_LIST_ITEM, pyatspi.ROLE_ENTRY,
    pyatspi.ROLE_PASSWORD_TEXT, pyatspi.ROLE_COMBO_BOX, pyatspi.ROLE_SPIN_BUTTON,
    pyatspi.ROLE_SLIDER, pyatspi.ROLE_LINK, pyatspi.ROLE_LIST, pyatspi.ROLE_LIST_BOX,
    pyatspi.ROLE_MENU_ITEM, pyatspi.ROLE_TABLE, pyatspi.ROLE_TREE_TABLE,
}

results = []


def report(ok, what):
    results.append((ok, what))


def find_app(name, timeout=20):
    deadline = time.time() + timeout
    while time.time() < deadline:
        desktop = pyatspi.Registry.getDesktop(0)
        for i in range(desktop.childCount):
            app = desktop.getChildAtIndex(i)
            if app is not None and app.name == name:
                return app
        time.sleep(0.2)
    return None


def walk(node, depth=0):
    if node is None or depth > 60:
        return
    yield node
    try:
        count = node.childCount
    except Exception:
        return
    for i in range(count):
        try:
            child = node.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, depth + 1)


def showing(node):
    # GTK 4.8 never sets SHOWING, and pages kept in the stack stay VISIBLE: every page built so
    # far is audited, not only the one on screen
    try:
        states = node.getState()
        return states.contains(pyatspi.STATE_SHOWING) or states.contains(pyatspi.STATE_VISIBLE)
    except Exception:
        return False


def has_name(node):
    if (node.name or "").strip():
        return True
    try:
        for rel in node.getRelationSet():
            if rel.getRelationType() == pyatspi.RELATION_LABELLED_BY and rel.getNTargets() > 0:
                return True
    except Exception:
        pass
    return False


def path_of(node):
    parts = []
    while node is not None and len(parts) < 6:
        parts.append("%s(%s)" % (node.getRoleName(), node.name or ""))
        node = node.parent
    return " < ".join(parts)


# GTK 4.8 reads a mnemonic label's raw text into a name: "_Next Next", "取消(_C) 取消(C)"
MNEMONIC = re.compile(r"(^|[\s(（])_\w")
# A control read out by its GTK type: "GtkToggleButton", "GtkExpander"
TYPE_NAME = re.compile(r"^Gtk[A-Z][A-Za-z]+$")
# What a mnemonic looks like in a Chinese label, and so in a name: "上一步(B)"
SHOWN_MNEMONIC = re.compile(r"[(（]_?([A-Za-z0-9])[)）]")
# Roles whose name a screen reader announces: every control, and the images and lists a
# reader stops on (GTK's own scroll bars are left out: they take no focus)
ANNOUNCED = INTERACTIVE | {pyatspi.ROLE_IMAGE, pyatspi.ROLE_ALERT}


def plain(text):
    """A name's words as read, without the mnemonic mark ("注册(R)" → "注册", "_Back" → "Back")."""
    return SHOWN_MNEMONIC.sub("", text).replace("_", "").strip()


def repeats_itself(name):
    """'Back Back', '注册 注册(R)', '取消(_C) 取消(C)': the same words read twice."""
    name = (name or "").strip()
    for i, c in enumerate(name):
        if c == " ":
            left, right = plain(name[:i]), plain(name[i + 1:])
            if left and left == right:
                return True
    return False


def hidden(node):
    # A page kept in the window's stack for Back is marked hidden by the window; so is
    # everything inside it
    while node is not None:
        try:
            if node.getRole() == pyatspi.ROLE_APPLICATION:
                return False
            if not node.getState().contains(pyatspi.STATE_VISIBLE):
                return True
            node = node.parent
        except Exception:
            return True
    return False


def controls(app):
    for node in walk(app):
        try:
            role = node.getRole()
        except Exception:
            continue
        if role in ANNOUNCED and showing(node) and not hidden(node):
            yield node, role


def window_of(node):
    while node is not None and node.parent is not None and node.parent.getRole() != pyatspi.ROLE_APPLICATION:
        node = node.parent
    return node


def audit(app, where):
    unnamed, garbled, typed, twice = [], [], [], []
    keys = {}
    checked = 0
    for node, role in controls(app):
        name = node.name or ""
        if role in INTERACTIVE:
            checked += 1
        if not has_name(node):
            # An image without a name is decoration only when GTK is told so (presentation)
            unnamed.append(path_of(node))
            continue
        if MNEMONIC.search(name):
            garbled.append(path_of(node))
        if TYPE_NAME.match(name.strip()):
            typed.append(path_of(node))
        if repeats_itself(name):
            twice.append(path_of(node))
        if role in (pyatspi.ROLE_PUSH_BUTTON, pyatspi.ROLE_TOGGLE_BUTTON, pyatspi.ROLE_CHECK_BOX,
                    pyatspi.ROLE_RADIO_BUTTON, pyatspi.ROLE_LINK) and \
                node.getState().contains(pyatspi.STATE_SENSITIVE):
            m = SHOWN_MNEMONIC.search(name)
            if m:
                key = (id(window_of(node)), m.group(1).upper())
                keys.setdefault(key, []).append(plain(name))
    clashes = ["Alt+%s: %s" % (k[1], " / ".join(v)) for k, v in keys.items() if len(v) > 1]
    report(checked > 0 and not unnamed,
           "%s: %d controls, all named%s" % (where, checked,
                                              "" if not unnamed else "; unnamed: " + "; ".join(unnamed[:8])))
    report(not garbled,
           "%s: no name is read out with a mnemonic underscore%s" % (
               where, "" if not garbled else ": " + "; ".join(garbled[:8])))
    report(not typed,
           "%s: no control is read out by its GTK type name%s" % (
               where, "" if not typed else ": " + "; ".join(typed[:8])))
    report(not twice,
           "%s: no name repeats itself%s" % (where, "" if not twice else ": " + "; ".join(twice[:8])))
    report(not clashes,
           "%s: no two controls of a window share a mnemonic%s" % (
               where, "" if not clashes else ": " + "; ".join(clashes[:8])))


def focused(app):
    for node in walk(app):
        try:
            if node.getState().contains(pyatspi.STATE_FOCUSED):
                return node
        except Exception:
            continue
    return None


def text_of(node):
    try:
        t = node.queryText()
        return t.getText(0, t.characterCount)
    except Exception:
        return ""


def audit_announced(app, where, message):
    """An error is announced: the focus is on it (an alert, or a control described by it), so a
    screen reader reads it without the user looking for it."""
    node = focused(app)
    said = "" if node is None else " ".join([node.name or "", node.description or "", text_of(node)])
    report(node is not None and message in said,
           "%s: the error “%s” is announced (focus on %s)" % (
               where, message, "nothing" if node is None else path_of(node)))


def find(app, role, name=None):
    for node in walk(app):
        try:
            if node.getRole() == role and (name is None or node.name == name):
                return node
        except Exception:
            continue
    return None


def keys(names):
    """Real key presses through the X server (XTEST), as a keyboard user's reach the app."""
    subprocess.run(["xdotool", "key", "--delay", "60"] + names, check=True)


def do_action(node, action_name):
    action = node.queryAction()
    for i in range(action.nActions):
        if action.getName(i) == action_name:
            return action.doAction(i)
    raise RuntimeError("no action %s on %s" % (action_name, path_of(node)))


DRAFT_FIELDS = {
    "enterprise-name": "Audit Trading Co", "credit-code": "91110000600037341L",
    "registered-address": "1 Chang'an Avenue", "licence-type": "electromechanical",
    "legal-rep-name": "Li Dong", "legal-rep-id-type": "resident-id",
    "legal-rep-id-number": "110102199101010078", "user-name": "Wang Qiang",
    "user-id-type": "resident-id", "user-id-number": "11010519491231002X",
    "login-name": "WANGQIANG", "email": "wangqiang@example.com", "mobile": "18910123221",
    "contact-address": "11 Ronghua Road", "postcode": "100176", "authority-id": "beijing",
}


def seed_draft(data_home):
    draft_id = str(uuid.uuid4())
    folder = os.path.join(data_home, "ekey-assistant", "drafts", draft_id)
    os.makedirs(folder, mode=0o700)
    with open(os.path.join(folder, "draft.json"), "w", encoding="utf-8") as f:
        json.dump({"format": 1, "id": draft_id, "business_type": "first-application",
                   "step": "review", "modified": int(time.time() * 1e6), "fields": DRAFT_FIELDS}, f)


def focusable(node):
    # A drop-down or a menu button takes the focus with the button inside it
    for n in walk(node):
        try:
            if n.getState().contains(pyatspi.STATE_FOCUSABLE):
                return True
        except Exception:
            continue
    return False


def not_focusable(app):
    """Controls of the form and review pages that the keyboard cannot reach."""
    missing = []
    for node in walk(app):
        try:
            role = node.getRole()
            states = node.getState()
        except Exception:
            continue
        if role in (pyatspi.ROLE_ENTRY, pyatspi.ROLE_CHECK_BOX, pyatspi.ROLE_COMBO_BOX,
                    pyatspi.ROLE_PUSH_BUTTON) and showing(node) and not hidden(node) and \
                not focusable(node):
            missing.append(path_of(node))
    return missing


def audit_form(binary, env):
    """The applications in progress, check your answers, and each form page."""
    seed_draft(env["XDG_DATA_HOME"])
    proc = subprocess.Popen([binary], env=env)
    try:
        app = find_app(os.path.basename(binary))
        report(app is not None, "the wizard starts again with a saved application")
        if app is None:
            return
        deadline = time.time() + 10
        cont = None
        while cont is None and time.time() < deadline:
            cont = next((n for n in walk(app) if _is_button(n) and
                         (n.name or "").startswith("Continue: Audit Trading Co")), None)
            time.sleep(0.2)
        report(cont is not None, "the saved application is offered with a named Continue button")
        if cont is None:
            return
        audit(app, "applications in progress")
        do_action(cont, "click")
        app = None
        deadline = time.time() + 10
        review = None
        while review is None and time.time() < deadline:
            time.sleep(0.3)
            app = find_app(os.path.basename(binary))
            review = app and next((n for n in walk(app) if _is_button(n) and
                                   (n.name or "").startswith("Change")), None)
        report(review is not None, "continuing lands on Check your answers")
        if review is None:
            return
        audit(app, "check your answers")
        for page in ("where to collect", "contact details", "people", "enterprise"):
            back = find(app, pyatspi.ROLE_PUSH_BUTTON, "Back")
            do_action(back, "click")
            time.sleep(0.4)
            audit(app, "form page “%s”" % page)
        missing = not_focusable(app)
        report(not missing, "every entry, tick box, drop-down and button of the form can take the "
                            "keyboard focus%s" % ("" if not missing else ": " + "; ".join(missing[:8])))
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


def _is_button(node):
    try:
        return node.getRole() == pyatspi.ROLE_PUSH_BUTTON
    except Exception:
        return False


def audit_running(app_name, where, error=None):
    """One page of an app that is already running (the keyboard journey calls this on each)."""
    app = find_app(app_name)
    report(app is not None, "%s: the app is on the accessibility bus" % where)
    if app is None:
        return
    audit(app, where)
    if error:
        audit_announced(app, where, error)


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "--running":
        # a11y-audit.py --running APP-NAME WHERE [ERROR-MESSAGE]
        audit_running(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
        return
    binary = os.environ["EK_ASSISTANT"]
    data_home = tempfile.mkdtemp(prefix="ek-a11y-")
    try:
        env = dict(os.environ, LANGUAGE=os.environ.get("LANGUAGE", "en"), XDG_DATA_HOME=data_home)
        audit_business_types(binary, env)
        audit_form(binary, env)
    finally:
        shutil.rmtree(data_home, ignore_errors=True)


def audit_business_types(binary, env):
    proc = subprocess.Popen([binary], env=env)
    try:
        app = find_app(os.path.basename(binary))
        report(app is not None, "the running wizard appears on the accessibility bus")
        if app is None:
            return
        time.sleep(0.5)
        audit(app, "first page")

        types_list = find(app, pyatspi.ROLE_LIST, "Business types")
        report(types_list is not None, "the list of business types is named")
        if types_list is None:
            return
        n_types = types_list.childCount
        report(n_types == 10, "ten business types are announced (%d)" % n_types)
        # Chosen as a keyboard user does: the focus is on the row last chosen (the first one at
        # the start); Down moves to the next, Enter chooses it and goes on to its first step
        subprocess.run(["xdotool", "mousemove", "400", "300"], check=True)
        for index in range(n_types):
            row = types_list.getChildAtIndex(index)
            name = row.name
            keys(["Down", "Return"] if index > 0 else ["Return"])
            time.sleep(0.6)
            chosen = types_list.getChildAtIndex(index).getState().contains(pyatspi.STATE_SELECTED)
            report(chosen, "“%s” is announced as the chosen business" % name)
            audit(app, "first step of “%s”" % name)
            back = find(app, pyatspi.ROLE_PUSH_BUTTON, "Back")
            do_action(back, "click")
            time.sleep(0.4)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()


if __name__ == "__main__":
    try:
        main()
    except Exception as e:  # a crash of the audit itself is a failure, not a pass
        report(False, "audit raised %r" % e)
    print("1..%d" % len(results))
    for i, (ok, what) in enumerate(results, 1):
        print("%s %d %s" % ("ok" if ok else "not ok", i, what))
    sys.exit(0 if all(ok for ok, _ in results) else 1)
