#!/usr/bin/env python3
"""po-fill.py PO JSON: put translations into a .po file.

JSON is an object {"msgid": "msgstr", ...} (for plurals, a list of msgstr forms). Entries of the
.po whose msgid is a key get that msgstr and lose their fuzzy flag; nothing else changes. Use it
after `ninja -C _build ekey-assistant-update-po` to translate what is new; po/check-po.sh tells
what is still missing.
"""
import json
import re
import sys


def unquote(lines):
    return ''.join(json.loads(l) if l.startswith('"') else '' for l in lines)


def quote(text):
    if '\n' in text[:-1] or len(text) > 70:
        parts = re.findall(r'[^\n]*\n|[^\n]+$', text)
        return '""\n' + '\n'.join(json.dumps(p, ensure_ascii=False) for p in parts)
    return json.dumps(text, ensure_ascii=False)


def main():
    po_path, json_path = sys.argv[1], sys.argv[2]
    table = json.load(open(json_path, encoding='utf-8'))
    blocks = open(po_path, encoding='utf-8').read().split('\n\n')
    out, used = [], set()
    for block in blocks:
        lines = block.split('\n')
        ctx = msgid = None
        i = 0
        fields = {}
        order = []
        current = None
        for line in lines:
            m = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d+\])?) (".*")$', line)
            if m:
                current = m.group(1)
                order.append(current)
                fields[current] = [m.group(2)]
            elif line.startswith('"') and current:
                fields[current].append(line)
        if 'msgid' not in fields:
            out.append(block)
            continue
        msgid = unquote(fields['msgid'])
        if msgid == '' or msgid not in table:
            out.append(block)
            continue
        used.add(msgid)
        value = table[msgid]
        head = [l for l in lines if l.startswith('#')]
        head = [re.sub(r',\s*fuzzy', '', l) if l.startswith('#,') else l for l in head]
        head = [l for l in head if l.strip() != '#,']
        body = []
        if 'msgctxt' in fields:
            body.append('msgctxt ' + quote(unquote(fields['msgctxt'])))
        body.append('msgid ' + quote(msgid))
        if 'msgid_plural' in fields:
            body.append('msgid_plural ' + quote(unquote(fields['msgid_plural'])))
            forms = value if isinstance(value, list) else [value]
            for n, form in enumerate(forms):
                body.append('msgstr[%d] %s' % (n, quote(form)))
        else:
            body.append('msgstr ' + quote(value))
        out.append('\n'.join(head + body))
    open(po_path, 'w', encoding='utf-8').write('\n\n'.join(out))
    unused = set(table) - used
    for u in sorted(unused):
        print('not in the .po (ignored):', u, file=sys.stderr)


if __name__ == '__main__':
    main()
