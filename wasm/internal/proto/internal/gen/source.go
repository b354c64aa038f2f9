package main

import (
	"bytes"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Reading the source: the module, a package's declarations, the kinds
// table.

// findModule returns the directory and the path of the module dir is in.
func findModule(dir string) (root, module string, err error) {
	d, err := filepath.Abs(dir)
	if err != nil {
		return "", "", err
	}
	for {
		data, err := os.ReadFile(filepath.Join(d, "go.mod"))
		if err == nil {
			for _, line := range strings.Split(string(data), "\n") {
				if f := strings.Fields(line); len(f) == 2 && f[0] == "module" {
					return d, strings.Trim(f[1], `"`), nil
				}
			}
			return "", "", fmt.Errorf("%s/go.mod names no module", d)
		}
		up := filepath.Dir(d)
		if up == d {
			return "", "", fmt.Errorf("no go.mod above %s", dir)
		}
		d = up
	}
}

// pkg is a parsed package: its type declarations and each file's imports.
type pkg struct {
	path, name string
	types      map[string]*ast.TypeSpec
	imports    map[*ast.TypeSpec]map[string]string // a type's file's imports, by name
	names      map[string]bool                     // every package-level name
	decls      []ast.Decl
}

// typeRef names a type of a package.
type typeRef struct {
	pkg  *pkg
	name string
}

type generator struct {
	root, module string
	pkgs         map[string]*pkg // by import path
	home         *pkg            // package proto
	queue        []typeRef       // struct types whose walk is to be written
	done         map[typeRef]bool
	local        map[typeRef]string // a foreign struct's local type
}

// load parses the package in dir (import path path, "" for the home
// package), but its tests and the file skip.
func (g *generator) load(dir, path, skip string) (*pkg, error) {
	if p, ok := g.pkgs[path]; ok && path != "" {
		return p, nil
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	p := &pkg{path: path, types: map[string]*ast.TypeSpec{}, imports: map[*ast.TypeSpec]map[string]string{}, names: map[string]bool{}}
	fset := token.NewFileSet()
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".go") || strings.HasSuffix(n, "_test.go") || n == skip {
			continue
		}
		f, err := parser.ParseFile(fset, filepath.Join(dir, n), nil, parser.SkipObjectResolution)
		if err != nil {
			return nil, err
		}
		if p.name == "" {
			p.name = f.Name.Name
		}
		imports := map[string]string{}
		for _, im := range f.Imports {
			ipath, _ := strconv.Unquote(im.Path.Value)
			name := ipath[strings.LastIndex(ipath, "/")+1:]
			if im.Name != nil {
				name = im.Name.Name
			}
			imports[name] = ipath
		}
		for _, d := range f.Decls {
			p.decls = append(p.decls, d)
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil {
					p.names[d.Name.Name] = true
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						if prev, ok := p.types[s.Name.Name]; ok && !sameType(prev, s) {
							return nil, fmt.Errorf("%s: type %s is declared twice, differently", dir, s.Name.Name)
						}
						p.types[s.Name.Name] = s
						p.imports[s] = imports
						p.names[s.Name.Name] = true
					case *ast.ValueSpec:
						for _, n := range s.Names {
							p.names[n.Name] = true
						}
					}
				}
			}
		}
	}
	if p.name == "" {
		return nil, fmt.Errorf("%s: no Go files", dir)
	}
	if path != "" {
		g.pkgs[path] = p
	}
	return p, nil
}

// sameType says whether two declarations of a type (in files of other
// builds) are the same text.
func sameType(a, b *ast.TypeSpec) bool {
	var x, y bytes.Buffer
	format.Node(&x, token.NewFileSet(), a)
	format.Node(&y, token.NewFileSet(), b)
	return x.String() == y.String()
}

// kindEntry is a row of the kinds table.
type kindEntry struct{ kind, typ string }

// kindTable reads the kinds table:
//
//	var kinds = map[Kind]kindInfo{
//		KBoot: {ToWorker, newBody[Boot]},
//		...
//	}
func kindTable(p *pkg) ([]kindEntry, error) {
	bad := errors.New("the kinds table's rows must read K: {Direction, newBody[T]}")
	for _, d := range p.decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.VAR {
			continue
		}
		for _, s := range gd.Specs {
			vs := s.(*ast.ValueSpec)
			if len(vs.Names) != 1 || vs.Names[0].Name != "kinds" || len(vs.Values) != 1 {
				continue
			}
			lit, ok := vs.Values[0].(*ast.CompositeLit)
			if !ok {
				return nil, bad
			}
			var rows []kindEntry
			for _, e := range lit.Elts {
				kv, ok := e.(*ast.KeyValueExpr)
				if !ok {
					return nil, bad
				}
				k, ok := kv.Key.(*ast.Ident)
				row, ok2 := kv.Value.(*ast.CompositeLit)
				if !ok || !ok2 || len(row.Elts) != 2 {
					return nil, bad
				}
				ix, ok := row.Elts[1].(*ast.IndexExpr)
				if !ok {
					return nil, bad
				}
				fn, ok := ix.X.(*ast.Ident)
				t, ok2 := ix.Index.(*ast.Ident)
				if !ok || !ok2 || fn.Name != "newBody" {
					return nil, bad
				}
				if _, ok := p.types[t.Name]; !ok {
					return nil, fmt.Errorf("kind %s: no type %s", k.Name, t.Name)
				}
				rows = append(rows, kindEntry{k.Name, t.Name})
			}
			if len(rows) == 0 {
				return nil, errors.New("the kinds table is empty")
			}
			return rows, nil
		}
	}
	return nil, errors.New("no kinds table (var kinds = map[Kind]kindInfo{...})")
}
