Console.WriteLine("moetune");
