"""The LangChain tutorial pipeline, as a user would build it in an afternoon: 1,000-character
recursive splits, the same embedding model, FAISS, top 4. Scored on retrieval beside ours."""

from __future__ import annotations

from langchain_core.documents import Document

from qa.embeddings import SentenceTransformerEmbeddings
from qa.records import Article

TUTORIAL_CHUNK = 1000
TUTORIAL_OVERLAP = 200
TUTORIAL_K = 4


class TutorialBaseline:
    """RecursiveCharacterTextSplitter(1000, 200) + FAISS + similarity_search(k=4)."""

    def __init__(self, articles: list[Article], embedder: SentenceTransformerEmbeddings) -> None:
        from langchain_community.vectorstores import FAISS  # noqa: PLC0415
        from langchain_text_splitters import RecursiveCharacterTextSplitter  # noqa: PLC0415

        splitter = RecursiveCharacterTextSplitter(
            chunk_size=TUTORIAL_CHUNK, chunk_overlap=TUTORIAL_OVERLAP, add_start_index=True
        )
        docs = splitter.split_documents(
            [Document(page_content=a.text, metadata={"doc_id": a.doc_id}) for a in articles]
        )
        self.store = FAISS.from_documents(docs, embedder)

    def retrieve(self, question: str) -> list[tuple[str, int, int]]:
        """(doc_id, start, end) of the top-4 chunks."""
        docs = self.store.similarity_search(question, k=TUTORIAL_K)
        return [
            (d.metadata["doc_id"], d.metadata["start_index"], d.metadata["start_index"] + len(d.page_content))
            for d in docs
        ]
