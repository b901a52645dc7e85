console.log("static test");
