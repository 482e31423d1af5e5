#!/usr/bin/env python3
"""Runs the golden SQL scripts of test/sql/exec/testdata against a real PostgreSQL (psql) and
prints each case's output in the harness's format next to the expected one, for review:

    python3 scripts/sql-exec-pg-compare.py -h /tmp/pg -p 5432 [file ...]

Each file runs in a fresh database. psql's footers and message prefixes are normalized to the
harness's format ("(2 rows)" -> "SELECT 2", "ERROR:  42P01: m" -> "ERROR 42P01: m"); HINT,
LOCATION, LINE and caret lines are dropped (the harness prints none). Cases whose output
differs are printed with both versions; identical ones are counted.
"""
import argparse, os, re, subprocess, sys, tempfile

def cases(path):
    lines = open(path).read().split('\n')
    i, out = 0, []
    while i < len(lines):
        line = lines[i]
        if line.strip() == '' or line.startswith('#'):
            i += 1; continue
        directive, start = line.strip(), i
        i += 1; inp = []
        while lines[i] != '----':
            inp.append(lines[i].strip()); i += 1
        i += 1; exp = []
        while i < len(lines) and lines[i].strip() != '':
            exp.append(lines[i]); i += 1
        out.append((start + 1, directive, inp, '\n'.join(exp)))
    return out

def normalize(text):
    out = []
    for line in text.split('\n'):
        line = re.sub(r'^psql:[^:]*:\d+: ', '', line)
        if re.match(r'^(HINT|LOCATION|LINE \d+|CONTEXT|SCHEMA NAME|TABLE NAME|COLUMN NAME|CONSTRAINT NAME|DATATYPE NAME):', line) or re.match(r'^\s*\^\s*$', line) or line.strip() == '':
            continue
        m = re.match(r'^(ERROR|NOTICE|WARNING):\s+([0-9A-Z]{5}): (.*)$', line)
        if m:
            line = f'ERROR {m.group(2)}: {m.group(3)}' if m.group(1) == 'ERROR' else f'{m.group(1)}: {m.group(3)}'
        line = re.sub(r'^DETAIL:\s+', 'DETAIL: ', line)
        if line in ('BEGIN', 'COMMIT', 'ROLLBACK', 'SET') or line.startswith('Null display') or line.startswith('Default footer'):
            continue
        out.append(line)
    result = []
    for index, line in enumerate(out):
        m = re.match(r'^\((\d+) rows?\)$', line)
        if m:
            following = out[index + 1] if index + 1 < len(out) else ''
            if re.match(r'^(INSERT|UPDATE|DELETE) ', following):
                continue
            line = f'SELECT {m.group(1)}'
        result.append(line)
    return '\n'.join(result)

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('-H', '--host', default='/tmp/pgexec')
    parser.add_argument('-p', '--port', default='54331')
    parser.add_argument('files', nargs='*')
    args = parser.parse_args()
    testdata = os.path.join(os.path.dirname(__file__), '..', 'test', 'sql', 'exec', 'testdata')
    files = args.files or [os.path.join(testdata, name) for name in sorted(os.listdir(testdata))]
    base = ['psql', '-X', '-h', args.host, '-p', args.port, '-U', 'postgres']
    same = differ = 0
    for path in files:
        db = 'cmp_' + re.sub(r'\W', '_', os.path.basename(path))
        subprocess.run(base + ['-c', f'DROP DATABASE IF EXISTS {db}', '-c', f'CREATE DATABASE {db}'], capture_output=True)
        for line, directive, inp, expected in cases(path):
            sql = '\n'.join(inp)
            if directive.startswith('txn'):
                sql = f'BEGIN;\n{sql};\nCOMMIT;'
            with tempfile.NamedTemporaryFile('w', suffix='.sql', delete=False) as f:
                f.write('\\pset null NULL\n\\pset footer on\n' + sql + ';\n')
            run = subprocess.run(base + ['-d', db, '-A', '-F', ' | ', '-v', 'VERBOSITY=verbose', '-f', f.name], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            os.unlink(f.name)
            actual = normalize(run.stdout)
            if actual.strip() == expected.strip():
                same += 1
            else:
                differ += 1
                print(f'--- {os.path.basename(path)}:{line}: {inp[0][:70]}\n  postgres:\n' + '\n'.join('    ' + l for l in actual.split('\n')) + '\n  rangedb:\n' + '\n'.join('    ' + l for l in expected.split('\n')))
    print(f'{same} cases identical, {differ} differ')

main()
