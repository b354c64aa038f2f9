package main

import (
	"bytes"
	"fmt"
	"go/ast"
	"go/format"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"unicode"
)

// Writing the walks: a field's line from its type and its json tag.

// walk writes t's walk method, queueing the struct types of its fields.
func (g *generator) walk(b *bytes.Buffer, t typeRef) error {
	spec := t.pkg.types[t.name]
	st, ok := spec.Type.(*ast.StructType)
	if !ok || spec.TypeParams != nil {
		return fmt.Errorf("%s.%s is not a struct type", t.pkg.name, t.name)
	}
	recv, err := g.goType(t)
	if err != nil {
		return err
	}
	fmt.Fprintf(b, "\nfunc (m *%s) walk(w *walker) {\n", recv)
	for _, f := range st.Fields.List {
		if len(f.Names) == 0 {
			return fmt.Errorf("%s.%s: embedded field %s: the codec has no rule for it", t.pkg.name, t.name, exprString(f.Type))
		}
		for _, id := range f.Names {
			if !id.IsExported() {
				continue // encoding/json leaves it out too
			}
			name, opt, skip, err := jsonTag(f, id.Name)
			if err != nil {
				return fmt.Errorf("%s.%s.%s: %v", t.pkg.name, t.name, id.Name, err)
			}
			if skip {
				continue
			}
			line, err := g.field(t.pkg, spec, f.Type, name, opt, "&m."+id.Name)
			if err != nil {
				return fmt.Errorf("%s.%s.%s: %v", t.pkg.name, t.name, id.Name, err)
			}
			b.WriteString("\t" + line + "\n")
		}
	}
	b.WriteString("}\n")
	return nil
}

// jsonTag reads a field's json tag as encoding/json does: its name, the
// omitempty option, or "-" to leave it out.
func jsonTag(f *ast.Field, field string) (name, opt string, skip bool, err error) {
	opt = "always"
	tag := ""
	if f.Tag != nil {
		s, err := strconv.Unquote(f.Tag.Value)
		if err != nil {
			return "", "", false, err
		}
		tag = reflect.StructTag(s).Get("json")
	}
	if tag == "-" {
		return "", "", true, nil
	}
	name, opts, _ := strings.Cut(tag, ",")
	if name == "" {
		name = field
	}
	for _, c := range name {
		// Names are written as they are: nothing in them to escape.
		if c < ' ' || c == '"' || c == '\\' || c > unicode.MaxASCII {
			return "", "", false, fmt.Errorf("json name %q needs escaping", name)
		}
	}
	for o := range strings.SplitSeq(opts, ",") {
		switch o {
		case "":
		case "omitempty":
			opt = "omitEmpty"
		default:
			return "", "", false, fmt.Errorf("the codec has no rule for the json option %q", o)
		}
	}
	return name, opt, false, nil
}

// kind classifies a field's type for the codec.
type kind int

const (
	unsupported kind = iota
	basic            // a number, a string or a bool: the walker's method of the name
	structKind       // a struct type: its own walk
)

// basics are the walker's methods for the types it writes.
// Each also has a method named with a suffix Value for a slice's element.
var basics = map[string]string{"string": "str", "int": "int", "int64": "int64", "uint64": "uint64", "float64": "float", "bool": "bool"}

// resolve says what a type expression of package p (in the file of spec)
// is: a basic type (its walker method; ref is the named type, if it is
// one) or a struct type (ref).
func (g *generator) resolve(p *pkg, spec *ast.TypeSpec, e ast.Expr) (k kind, method string, ref typeRef, err error) {
	switch e := e.(type) {
	case *ast.Ident:
		if m, ok := basics[e.Name]; ok {
			return basic, m, typeRef{}, nil
		}
		return g.named(typeRef{p, e.Name})
	case *ast.SelectorExpr:
		x, ok := e.X.(*ast.Ident)
		if !ok {
			break
		}
		path, ok := p.imports[spec][x.Name]
		if !ok {
			return 0, "", typeRef{}, fmt.Errorf("no import %s", x.Name)
		}
		if path != g.module && !strings.HasPrefix(path, g.module+"/") {
			return 0, "", typeRef{}, fmt.Errorf("%s is not in module %s: the codec has no rule for its types", path, g.module)
		}
		q, err := g.load(filepath.Join(g.root, strings.TrimPrefix(path, g.module)), path, "")
		if err != nil {
			return 0, "", typeRef{}, err
		}
		return g.named(typeRef{q, e.Sel.Name})
	}
	return unsupported, "", typeRef{}, nil
}

// named resolves a defined type: a struct, or a number, string or bool.
func (g *generator) named(t typeRef) (kind, string, typeRef, error) {
	spec, ok := t.pkg.types[t.name]
	if !ok && types.Universe.Lookup(t.name) != nil {
		return unsupported, "", typeRef{}, nil // a predeclared type the walker has no method for
	}
	if !ok {
		return 0, "", typeRef{}, fmt.Errorf("no type %s in package %s", t.name, t.pkg.name)
	}
	if spec.Assign.IsValid() || spec.TypeParams != nil {
		return unsupported, "", typeRef{}, nil
	}
	switch u := spec.Type.(type) {
	case *ast.StructType:
		return structKind, "", t, nil
	case *ast.Ident:
		if m, ok := basics[u.Name]; ok {
			return basic, m, t, nil
		}
	}
	return unsupported, "", typeRef{}, nil
}

// field returns the walk's line for one field: its Go type expression e
// (in package p, file of spec), JSON name and option, and the expression
// of its address.
func (g *generator) field(p *pkg, spec *ast.TypeSpec, e ast.Expr, name, opt, addr string) (string, error) {
	no := fmt.Errorf("the codec has no rule for a field of type %s", exprString(e))
	q := strconv.Quote(name)
	switch e := e.(type) {
	case *ast.ArrayType:
		if e.Len != nil {
			return "", no
		}
		if id, ok := e.Elt.(*ast.Ident); ok && (id.Name == "byte" || id.Name == "uint8") {
			return fmt.Sprintf("w.bytes(%s, %s, %s)", q, addr, opt), nil
		}
		k, method, ref, err := g.resolve(p, spec, e.Elt)
		if err != nil {
			return "", err
		}
		if k == basic && ref.pkg == nil {
			return fmt.Sprintf("list(w, %s, %s, %s, w.%sValue)", q, opt, addr, method), nil
		}
		if k == basic { // a named type: the walker takes its underlying type
			return fmt.Sprintf("list(w, %s, %s, %s, func(e *%s) { w.%sValue((*%s)(e)) })", q, opt, addr, g.qualified(ref), method, underlying(method)), nil
		}
		if k != structKind {
			return "", no
		}
		local, err := g.goType(ref)
		if err != nil {
			return "", err
		}
		g.queue = append(g.queue, ref)
		if ref.pkg == g.home {
			return fmt.Sprintf("list(w, %s, %s, %s, func(e *%s) { object(w, e) })", q, opt, addr, local), nil
		}
		return fmt.Sprintf("list(w, %s, %s, %s, func(e *%s.%s) { object(w, (*%s)(e)) })", q, opt, addr, ref.pkg.name, ref.name, local), nil
	case *ast.MapType:
		k, ok := e.Key.(*ast.Ident)
		if !ok || k.Name != "string" || !isAny(e.Value) {
			return "", no
		}
		return fmt.Sprintf("w.params(%s, %s, %s)", q, addr, opt), nil
	}
	k, method, ref, err := g.resolve(p, spec, e)
	if err != nil {
		return "", err
	}
	switch k {
	case basic:
		if ref.pkg != nil { // a named type: the walker takes its underlying type
			addr = fmt.Sprintf("(*%s)(%s)", underlying(method), addr)
		}
		return fmt.Sprintf("w.%s(%s, %s, %s)", method, q, addr, opt), nil
	case structKind:
		// encoding/json's omitempty never leaves out a struct.
		local, err := g.goType(ref)
		if err != nil {
			return "", err
		}
		g.queue = append(g.queue, ref)
		if ref.pkg != g.home {
			addr = fmt.Sprintf("(*%s)(%s)", local, addr)
		}
		return fmt.Sprintf("w.object(%s, %s)", q, addr), nil
	}
	return "", no
}

// underlying returns the predeclared type a walker method takes.
func underlying(method string) string {
	for t, m := range basics {
		if m == method {
			return t
		}
	}
	panic("no walker method " + method)
}

// qualified returns t's name as the generated file spells it.
func (g *generator) qualified(t typeRef) string {
	if t.pkg == g.home {
		return t.name
	}
	return t.pkg.name + "." + t.name // goType checked the package's name
}

// goType returns the name of the type whose walk method t gets: t itself
// in package proto, a local type of the same fields for another
// package's.
func (g *generator) goType(t typeRef) (string, error) {
	if t.pkg == g.home {
		return t.name, nil
	}
	if n, ok := g.local[t]; ok {
		return n, nil
	}
	r := []rune(t.name)
	r[0] = unicode.ToLower(r[0])
	n := string(r)
	if t.pkg.name == "w" || t.pkg.name == "m" || t.pkg.name == "e" {
		return "", fmt.Errorf("package %s takes a name the walks use for a variable", t.pkg.name)
	}
	if g.home.names[n] || n == t.pkg.name {
		return "", fmt.Errorf("the local type %s for %s.%s would take a name package %s uses", n, t.pkg.name, t.name, g.home.name)
	}
	for o, m := range g.local {
		if m == n {
			return "", fmt.Errorf("%s.%s and %s.%s would share the local type %s", t.pkg.name, t.name, o.pkg.name, o.name, n)
		}
	}
	g.local[t] = n
	return n, nil
}

func isAny(e ast.Expr) bool {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name == "any"
	case *ast.InterfaceType:
		return len(e.Methods.List) == 0
	}
	return false
}

// exprString prints a type expression.
func exprString(e ast.Expr) string {
	var b bytes.Buffer
	format.Node(&b, token.NewFileSet(), e)
	return b.String()
}
