"""README.md is where a newcomer starts: at most 20 KB, a contents list first, every page of docs/
linked from it, and every relative link of README.md and docs/*.md leading to a file (and heading)
that exists."""
import glob
import io
import os
import re

from tests.conftest import PROJECT_DIR

README = os.path.join(PROJECT_DIR, 'README.md')
MAX_README_BYTES = 20 * 1000
# [text](target) outside code; images too. Targets with a scheme (https:, mailto:) are not ours.
LINK = re.compile(r'\[[^\]]*\]\(([^)\s]+)\)')


def read(path):
    with io.open(path, encoding='utf-8') as f:
        return f.read()


def without_code(text):
    """`text` without fenced blocks and inline code, where brackets are not links."""
    text = re.sub(r'```.*?```', '', text, flags=re.S)
    return re.sub(r'`[^`\n]*`', '', text)


def anchor(heading):
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r'[^\w\- ]', '', heading.strip().lower().replace('`', ''))
    return text.replace(' ', '-')


def anchors(path):
    return set(anchor(line.lstrip('#')) for line in without_code_blocks(read(path)).splitlines()
               if re.match(r'#{1,6} ', line))


def without_code_blocks(text):
    return re.sub(r'```.*?```', '', text, flags=re.S)


def pages():
    return [README] + sorted(glob.glob(os.path.join(PROJECT_DIR, 'docs', '*.md')))


def test_the_readme_is_at_most_20_kb():
    assert os.path.getsize(README) <= MAX_README_BYTES


def test_the_readme_opens_with_a_contents_list():
    lines = read(README).splitlines()
    headings = [i for i, line in enumerate(lines) if line.startswith('## ')]
    assert lines[headings[0]] == '## Contents'
    listed = lines[headings[0] + 1:headings[1]]
    # Every section of the README is in the list (its own heading aside).
    links = set(LINK.findall('\n'.join(listed)))
    sections = set('#' + anchor(lines[i][3:]) for i in headings[1:])
    assert sections <= links, sections - links


def test_every_page_of_docs_is_linked_from_the_readme():
    linked = set(os.path.normpath(os.path.join(PROJECT_DIR, target.split('#')[0]))
                 for target in LINK.findall(without_code(read(README))))
    unlinked = [os.path.relpath(p, PROJECT_DIR) for p in pages()[1:] if p not in linked]
    assert unlinked == []


def test_every_relative_link_leads_somewhere():
    broken = []
    for page in pages():
        for target in LINK.findall(without_code(read(page))):
            if re.match(r'[a-z][a-z0-9+.-]*:', target):
                continue
            path, _, fragment = target.partition('#')
            resolved = os.path.normpath(os.path.join(os.path.dirname(page), path)) if path else page
            if not os.path.exists(resolved):
                broken.append('%s: %s (no such file)' % (os.path.relpath(page, PROJECT_DIR), target))
            elif fragment and resolved.endswith('.md') and fragment not in anchors(resolved):
                broken.append('%s: %s (no such heading)' % (os.path.relpath(page, PROJECT_DIR), target))
    assert broken == []
