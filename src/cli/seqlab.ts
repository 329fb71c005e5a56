console.log("seqlab")
