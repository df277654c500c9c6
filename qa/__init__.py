"""Question answering over a folder of news articles, with every claim cited.

from qa import Assistant, ask
answer = ask("When was Qasem Soleimani killed?")
print(answer.text)            # "... on 3 January 2020 [1]."
"""

from qa.assistant import Assistant, ask
from qa.errors import QAError
from qa.records import Answer, Article, Citation, Passage
from qa.settings import Settings

__all__ = ["Answer", "Article", "Assistant", "Citation", "Passage", "QAError", "Settings", "ask"]
