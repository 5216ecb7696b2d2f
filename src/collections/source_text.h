// Small text helpers shared by the collection readers.
#pragma once

#include <string>
#include <string_view>

namespace splade::collections {

// Collapses every run of ASCII whitespace to one space and trims both ends: the one-line text
// that JSONL contents and topic TSV lines need.
std::string collapse_whitespace(std::string_view text);

// The text of an HTML page: tags removed (each as a space; a '<' not followed by a letter, '/',
// '!' or '?' is text), the entities &amp; &lt; &gt;
// &quot; &apos; &nbsp; and numeric ones (&#NN; &#xHH;) decoded, whitespace collapsed.
std::string html_to_text(std::string_view html);

}  // namespace splade::collections
