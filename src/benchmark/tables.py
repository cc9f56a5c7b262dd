"""The evaluations' outputs: a JSON of per-sample errors and summaries, and a Markdown table with the
paper's published numbers (Kanazawa et al., CVPR 2018, Tables 1, 3 and 4) beside ours."""
import os

import numpy as np

from ..util.files import write_json, write_text

PUBLISHED = {
    'h36m_p1': {'MPJPE': 87.97, 'PA-MPJPE': 58.1},
    'h36m_p2': {'PA-MPJPE': 56.8},
    'mpi_inf_3dhp': {'PCK': 72.9, 'AUC': 36.5, 'MPJPE': 124.2},
    'mpi_inf_3dhp_aligned': {'PCK': 86.3, 'AUC': 47.8, 'MPJPE': 89.8},
    'lsp_segmentation': {'FB accuracy': 91.67, 'FB F1': 0.87, 'Parts accuracy': 87.12, 'Parts F1': 0.60},
}


def _cell(value, digits=2):
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return '-'
    return ('%.' + str(digits) + 'f') % value if isinstance(value, (float, np.floating)) else str(value)


def markdown_table(header, rows, digits=2):
    lines = ['| ' + ' | '.join(header) + ' |', '|' + '|'.join(['---'] * len(header)) + '|']
    lines += ['| ' + ' | '.join(_cell(v, digits) for v in row) + ' |' for row in rows]
    return '\n'.join(lines) + '\n'


def comparison_table(summary, published, digits=2):
    """Metric | ours | paper, one row per metric of `summary`."""
    rows = [[name, float(value), published.get(name)] for name, value in summary.items()]
    return markdown_table(['Metric', 'Ours', 'Paper'], rows, digits)


def write_report(out_dir, name, results, markdown):
    """Writes <out_dir>/<name>.json (results) and <name>.md (markdown); returns both paths."""
    if not os.path.isdir(out_dir):
        os.makedirs(out_dir)
    json_path, md_path = os.path.join(out_dir, name + '.json'), os.path.join(out_dir, name + '.md')
    write_json(json_path, results)
    write_text(md_path, markdown)
    return json_path, md_path
