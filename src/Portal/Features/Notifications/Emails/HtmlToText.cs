using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace Portal.Features.Notifications.Emails;

/// <summary>
/// The plain-text part of an email, derived from its rendered HTML so each email has one template. Made for
/// the markup of these templates (paragraphs, headings, lists, two-column tables, pre, links), not for any HTML.
/// </summary>
internal static partial class HtmlToText
{
    public static string Convert(string html)
    {
        var output = new Writer();
        var listDepth = 0;
        var inPre = false;
        string? skipUntil = null;
        var links = new Stack<(string? Href, int Start)>();
        var position = 0;
        foreach (Match tag in Tag().Matches(html))
        {
            if (skipUntil is null)
            {
                output.Text(html[position..tag.Index], inPre);
            }

            position = tag.Index + tag.Length;
            var closing = tag.Groups["close"].Success;
            var name = tag.Groups["name"].Value.ToLowerInvariant();
            if (skipUntil is not null)
            {
                if (closing && name == skipUntil)
                {
                    skipUntil = null;
                }

                continue;
            }

            switch (name)
            {
                case "head" or "style" or "script" or "title" when !closing:
                    skipUntil = name;
                    break;
                case "br":
                    output.LineBreak();
                    break;
                case "p" or "div" or "table" or "tr" or "h1" or "h2" or "h3" or "h4":
                    output.BlockBoundary(blankLine: name is not ("tr" or "div"));
                    break;
                case "pre":
                    output.BlockBoundary(blankLine: true);
                    inPre = !closing;
                    break;
                case "ul" or "ol":
                    listDepth = Math.Max(0, listDepth + (closing ? -1 : 1));
                    output.BlockBoundary(blankLine: listDepth == 0 && closing);
                    break;
                case "li" when !closing:
                    output.LineBreak();
                    output.Raw(new string(' ', 2 * Math.Max(0, listDepth - 1)) + "- ");
                    break;
                case "th" when closing:
                    output.Raw(": ");
                    break;
                case "td" when closing:
                    output.Raw(" ");
                    break;
                case "a" when !closing:
                    var href = Href().Match(tag.Value) is { Success: true } m ? WebUtility.HtmlDecode(m.Groups["href"].Value) : null;
                    links.Push((href, output.Length));
                    break;
                case "a" when links.Count > 0:
                    var (target, start) = links.Pop();
                    if (target is not null && output.Since(start).Trim() != target)
                    {
                        output.Raw($" ({target})");
                    }

                    break;
            }
        }

        output.Text(html[position..], inPre);
        return output.ToString();
    }

    [GeneratedRegex(@"<(?<close>/)?(?<name>[a-zA-Z][a-zA-Z0-9]*)[^>]*>|<!--.*?-->|<![^>]*>", RegexOptions.Singleline)]
    private static partial Regex Tag();

    [GeneratedRegex("""href\s*=\s*"(?<href>[^"]*)"|href\s*=\s*'(?<href>[^']*)'""", RegexOptions.IgnoreCase)]
    private static partial Regex Href();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    /// <summary>Collects lines: whitespace collapses as a browser would, except inside pre.</summary>
    private sealed class Writer
    {
        private readonly StringBuilder _text = new();

        public int Length => _text.Length;

        public string Since(int start) => _text.ToString(start, _text.Length - start);

        public void Text(string html, bool preformatted)
        {
            var text = WebUtility.HtmlDecode(html);
            if (preformatted)
            {
                _text.Append(text.Replace("\r\n", "\n", StringComparison.Ordinal));
                return;
            }

            text = Whitespace().Replace(text, " ");
            if (AtLineStart)
            {
                text = text.TrimStart();
            }

            _text.Append(text);
        }

        public void Raw(string text) => _text.Append(text);

        public void LineBreak()
        {
            TrimTrailingSpaces();
            if (_text.Length > 0 && !AtLineStart)
            {
                _text.Append('\n');
            }
        }

        public void BlockBoundary(bool blankLine)
        {
            LineBreak();
            if (blankLine && _text.Length > 0 && !EndsWith("\n\n"))
            {
                _text.Append('\n');
            }
        }

        public override string ToString()
        {
            var lines = _text.ToString().Split('\n').Select(l => l.TrimEnd());
            return string.Join('\n', lines).Trim() + "\n";
        }

        private bool AtLineStart => _text.Length == 0 || _text[^1] == '\n' || (EndsWithIndent() && LastLineIsIndentOnly());

        private bool EndsWith(string value) => _text.Length >= value.Length && _text.ToString(_text.Length - value.Length, value.Length) == value;

        private bool EndsWithIndent() => _text.Length >= 2 && _text[^1] == ' ' && _text[^2] == '-';

        private bool LastLineIsIndentOnly()
        {
            var lastBreak = _text.ToString().LastIndexOf('\n');
            return _text.ToString(lastBreak + 1, _text.Length - lastBreak - 1).Trim() == "-";
        }

        private void TrimTrailingSpaces()
        {
            while (_text.Length > 0 && _text[^1] == ' ')
            {
                _text.Length--;
            }
        }
    }
}
