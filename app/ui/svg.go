package ui

import (
	"html"
	"strconv"
	"strings"
)

// svgBuilder writes SVG markup. Charts are drawn as one SVG string (an
// app.Raw node) rather than as thousands of go-app nodes: a timeline can
// hold thousands of spans, and the browser parses markup far faster than
// the UI can diff that many elements. Every text and attribute value goes
// through esc: a span's label comes from a run and must stay text.
type svgBuilder struct{ b strings.Builder }

func esc(s string) string { return html.EscapeString(s) }

// num writes a coordinate with at most two decimals: crisp enough, short.
func num(v float64) string {
	return strconv.FormatFloat(float64(int64(v*100+sign(v)*0.5))/100, 'f', -1, 64)
}

func sign(v float64) float64 {
	if v < 0 {
		return -1
	}
	return 1
}

// open starts an element with attributes given as name, value pairs.
func (s *svgBuilder) open(tag string, attrs ...string) {
	s.b.WriteByte('<')
	s.b.WriteString(tag)
	s.attrs(attrs)
	s.b.WriteByte('>')
}

// leaf writes an empty element.
func (s *svgBuilder) leaf(tag string, attrs ...string) {
	s.b.WriteByte('<')
	s.b.WriteString(tag)
	s.attrs(attrs)
	s.b.WriteString("/>")
}

func (s *svgBuilder) attrs(attrs []string) {
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i+1] == "" && attrs[i] != "d" {
			continue
		}
		s.b.WriteByte(' ')
		s.b.WriteString(attrs[i])
		s.b.WriteString(`="`)
		s.b.WriteString(esc(attrs[i+1]))
		s.b.WriteByte('"')
	}
}

func (s *svgBuilder) close(tag string) {
	s.b.WriteString("</")
	s.b.WriteString(tag)
	s.b.WriteByte('>')
}

// text writes a <text> element.
func (s *svgBuilder) text(x, y float64, class, anchor, content string) {
	s.open("text", "x", num(x), "y", num(y), "class", class, "text-anchor", anchor)
	s.b.WriteString(esc(content))
	s.close("text")
}

// title writes a <title> child: the browser's own tooltip, and the name a
// screen reader gives the element.
func (s *svgBuilder) title(content string) {
	s.open("title")
	s.b.WriteString(esc(content))
	s.close("title")
}

func (s *svgBuilder) String() string { return s.b.String() }

// svgOpen starts a chart's root element: sized in user units so it is
// crisp at any zoom, scaled down on narrow screens by CSS, and labelled
// by its title and description.
// A chart whose parts are focusable is a group, not one image, so a
// screen reader reaches its parts.
func (s *svgBuilder) svgOpen(id, class, role string, w, h float64, title, desc string) {
	s.open("svg", "xmlns", "http://www.w3.org/2000/svg", "id", id, "class", class,
		"viewBox", "0 0 "+num(w)+" "+num(h), "width", num(w), "height", num(h),
		"role", role, "aria-labelledby", id+"-t "+id+"-d", "preserveAspectRatio", "xMinYMin meet")
	s.open("title", "id", id+"-t")
	s.b.WriteString(esc(title))
	s.close("title")
	s.open("desc", "id", id+"-d")
	s.b.WriteString(esc(desc))
	s.close("desc")
}

// patterns defines the overlays that tell states and series apart without
// colour: stripes, cross-hatch and dots, drawn over a coloured shape with
// a translucent ink (see overlay). Ids are prefixed by the chart's id to
// stay unique in the page.
func (s *svgBuilder) patterns(id string) {
	s.open("defs")
	s.open("pattern", "id", id+"-stripes", "width", "6", "height", "6", "patternUnits", "userSpaceOnUse", "patternTransform", "rotate(45)")
	s.leaf("line", "x1", "0", "y1", "0", "x2", "0", "y2", "6", "class", "pat-fg")
	s.close("pattern")
	s.open("pattern", "id", id+"-cross", "width", "6", "height", "6", "patternUnits", "userSpaceOnUse", "patternTransform", "rotate(45)")
	s.leaf("line", "x1", "0", "y1", "0", "x2", "0", "y2", "6", "class", "pat-fg")
	s.leaf("line", "x1", "0", "y1", "0", "x2", "6", "y2", "0", "class", "pat-fg")
	s.close("pattern")
	s.open("pattern", "id", id+"-dots", "width", "5", "height", "5", "patternUnits", "userSpaceOnUse")
	s.leaf("circle", "cx", "2.5", "cy", "2.5", "r", "1.1", "class", "pat-fg-dot")
	s.close("pattern")
	s.close("defs")
}

// overlay draws pattern pat ("stripes", "cross" or "dots") over a shape
// already drawn at x, y, w, h; "" draws nothing.
func (s *svgBuilder) overlay(id, pat string, x, y, w, h float64) {
	if pat == "" {
		return
	}
	s.leaf("rect", "x", num(x), "y", num(y), "width", num(w), "height", num(h),
		"fill", "url(#"+id+"-"+pat+")", "class", "overlay")
}
