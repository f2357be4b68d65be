#!/usr/bin/env python3
"""Edit kustomize's krusty test harness (harness.go) so Run and RunWithErr first write the test's in-memory file
system and the build options to $KRUSTY_DUMP/<test>-<n>/ (files under fs/, options in meta)."""
import sys

path = sys.argv[1]
src = open(path).read()
src = src.replace('import (\n\t"path/filepath"\n\t"testing"\n',
                  'import (\n\t"fmt"\n\t"os"\n\t"path/filepath"\n\t"strings"\n\t"sync/atomic"\n\t"testing"\n', 1)
dump = '''
var kilnDumpSeq atomic.Int64

func (th Harness) kilnDump(path string, o krusty.Options) {
	root := os.Getenv("KRUSTY_DUMP")
	if root == "" || !strings.Contains(fmt.Sprintf("%T", th.fSys), "fsNode") {
		return
	}
	dir := filepath.Join(root, fmt.Sprintf("%s-%d", strings.ReplaceAll(th.t.Name(), "/", "__"), kilnDumpSeq.Add(1)))
	_ = th.fSys.Walk("/", func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return nil
		}
		if b, rerr := th.fSys.ReadFile(p); rerr == nil {
			dst := filepath.Join(dir, "fs", p)
			_ = os.MkdirAll(filepath.Dir(dst), 0o755)
			_ = os.WriteFile(dst, b, 0o644)
		}
		return nil
	})
	meta := fmt.Sprintf("path=%s\\nloadRestrictions=%v\\nhelm=%v\\n", path, o.LoadRestrictions, o.PluginConfig.HelmConfig.Enabled)
	_ = os.MkdirAll(dir, 0o755)
	_ = os.WriteFile(filepath.Join(dir, "meta"), []byte(meta), 0o644)
}
'''
for fn in ("Run", "RunWithErr"):
    sig = "func (th Harness) %s(path string, o krusty.Options)" % fn
    i = src.index(sig)
    j = src.index("{\n", i) + 2
    src = src[:j] + "\tth.kilnDump(path, o)\n" + src[j:]
src += dump
open(path, "w").write(src)
