# Every relative link (and #anchor) in the README and the guides resolves to a file (and a
# heading) in the repository. Usage: links_test.py SOURCE_DIR
import re, os, sys
def anchors(path):
    out=set()
    for l in open(path):
        m=re.match(r'^(#+)\s+(.*)', l)
        if m:
            t=m.group(2).strip().lower()
            t=re.sub(r'[^\w\- ]','',t).replace(' ','-')
            out.add(t)
    return out
root=sys.argv[1] if len(sys.argv)>1 else "."
os.chdir(root)
bad=0
files=['README.md','server/README.md','bench/README.md']+['docs/'+f for f in os.listdir('docs')]
for f in files:
    incode=False
    for n,l in enumerate(open(f),1):
        if l.startswith('```'): incode=not incode
        if incode: continue
        for m in re.finditer(r'\]\(([^)]+)\)', l):
            link=m.group(1)
            if link.startswith('http'): continue
            p,_,a=link.partition('#')
            target=os.path.normpath(os.path.join(os.path.dirname(f),p)) if p else f
            if not os.path.exists(target):
                print(f'{f}:{n}: missing {link}'); bad+=1; continue
            if a and target.endswith('.md') and a not in anchors(target):
                print(f'{f}:{n}: no anchor {link}'); bad+=1
print('bad',bad); sys.exit(1 if bad else 0)
