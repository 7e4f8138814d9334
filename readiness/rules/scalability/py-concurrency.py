import uvicorn

if __name__ == "__main__":
    # ruleid: py-concurrency-limit
    uvicorn.run("app.main:app", host="0.0.0.0", limit_concurrency=200)
    # ok: py-concurrency-limit
    uvicorn.run("app.main:app", host="0.0.0.0")
