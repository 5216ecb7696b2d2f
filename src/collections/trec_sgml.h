// The TREC SGML of Vaswani (documents, topics) and of CACM's topics:
//   <DOC> <DOCNO> id </DOCNO> text </DOC>        and        <top> <num> id </num> <title> text </title> </top>
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "splade/collections.h"

namespace splade::collections {

// Each <record> ... </record> element: id = the trimmed content of <id_tag>, text = the rest of
// the element with tags removed (whitespace collapsed). Tag names match case-insensitively.
// Throws splade::Error(kCorrupt) for an unclosed element or a missing id, naming the line.
std::vector<TextRecord> parse_sgml_records(std::string_view text, const std::string& source,
                                           const std::string& record_tag, const std::string& id_tag);

}  // namespace splade::collections
